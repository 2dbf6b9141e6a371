package org.tokenpowerbench.power.rapl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tokenpowerbench.power.Method;
import org.tokenpowerbench.power.PowerChannel;
import org.tokenpowerbench.power.PowerSensor;
import org.tokenpowerbench.power.PowerSensors;
import org.tokenpowerbench.power.Scope;
import org.tokenpowerbench.power.SensorUnavailableException;

class RaplSensorTest {

    private static final long RANGE = 262_143_328_850L;

    @TempDir
    Path root;

    /** Writes a zone directory the way the powercap driver lays it out. */
    private static Path zone(Path dir, String name, long energyUj, long rangeUj) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("name"), name + "\n");
        Files.writeString(dir.resolve("energy_uj"), energyUj + "\n");
        Files.writeString(dir.resolve("max_energy_range_uj"), rangeUj + "\n");
        Files.writeString(dir.resolve("enabled"), "1\n");
        return dir;
    }

    private static void set(Path zone, long energyUj) throws IOException {
        Files.writeString(zone.resolve("energy_uj"), energyUj + "\n");
    }

    /** Two sockets, each with core, uncore and dram sub-zones, plus zones that must be ignored. */
    private void twoSockets() throws IOException {
        for (int p = 0; p < 2; p++) {
            Path pkg = zone(root.resolve("intel-rapl:" + p), "package-" + p, 1_000_000L * (p + 1), RANGE);
            zone(pkg.resolve("intel-rapl:" + p + ":0"), "core", 500_000, RANGE);
            zone(pkg.resolve("intel-rapl:" + p + ":1"), "uncore", 100_000, RANGE);
            zone(pkg.resolve("intel-rapl:" + p + ":2"), "dram", 300_000, RANGE);
            for (int s = 0; s < 3; s++) {
                // the real tree also links every sub-zone at the top level
                Files.createSymbolicLink(root.resolve("intel-rapl:" + p + ":" + s),
                        pkg.resolve("intel-rapl:" + p + ":" + s));
            }
        }
        zone(root.resolve("intel-rapl:2"), "psys", 9_000_000, RANGE);
        zone(root.resolve("intel-rapl-mmio:0"), "package-0", 7_000_000, RANGE);
    }

    private Path dir(String relative) {
        return root.resolve(relative);
    }

    @Test
    void readsPackagesAndDramButNeverTheirSubZones() throws Exception {
        twoSockets();
        try (PowerSensor sensor = RaplSensor.open(root, true)) {
            assertEquals("rapl", sensor.id());
            assertEquals(List.of(
                    new PowerChannel("package-0", "intel-rapl:0", Scope.CPU, Method.COUNTER, PowerChannel.Kind.ENERGY_JOULES),
                    new PowerChannel("dram-0", "intel-rapl:0:2", Scope.DRAM, Method.COUNTER, PowerChannel.Kind.ENERGY_JOULES),
                    new PowerChannel("package-1", "intel-rapl:1", Scope.CPU, Method.COUNTER, PowerChannel.Kind.ENERGY_JOULES),
                    new PowerChannel("dram-1", "intel-rapl:1:2", Scope.DRAM, Method.COUNTER, PowerChannel.Kind.ENERGY_JOULES)),
                    sensor.channels());
            double[] before = new double[4];
            sensor.sample(before, true);
            assertEquals(0.0, before[0]);

            // +5 J per package (of which 3 J in core), +1 J per DRAM, +20 J psys, +8 J mmio
            for (int p = 0; p < 2; p++) {
                set(dir("intel-rapl:" + p), 1_000_000L * (p + 1) + 5_000_000);
                set(dir("intel-rapl:" + p + "/intel-rapl:" + p + ":0"), 3_500_000);
                set(dir("intel-rapl:" + p + "/intel-rapl:" + p + ":2"), 1_300_000);
            }
            set(dir("intel-rapl:2"), 29_000_000);
            set(dir("intel-rapl-mmio:0"), 15_000_000);

            double[] after = new double[4];
            sensor.sample(after, false);
            double total = 0;
            for (int i = 0; i < 4; i++) {
                total += after[i] - before[i];
            }
            assertEquals(12.0, total, 1e-9);
            assertEquals(5.0, after[0], 1e-9);
            assertEquals(1.0, after[1], 1e-9);
            assertEquals(java.time.Duration.ofMillis(1), sensor.updatePeriod());
        }
    }

    @Test
    void dramCanBeLeftOutThroughTheProvider() throws Exception {
        twoSockets();
        try (PowerSensor sensor = PowerSensors.open("rapl", Map.of("root", root.toString(), "dram", "false"))) {
            assertEquals(List.of("package-0", "package-1"),
                    sensor.channels().stream().map(PowerChannel::name).toList());
        }
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> new RaplSensorProvider().open(Map.of("root", root.toString(), "dram", "maybe")));
        assertTrue(bad.getMessage().contains("maybe"), bad.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> new RaplSensorProvider().open(Map.of("rot", root.toString())));
        assertTrue(unknown.getMessage().contains("'rot'"), unknown.getMessage());
    }

    @Test
    void wrapAroundAddsTheRange() throws Exception {
        Path pkg = zone(dir("intel-rapl:0"), "package-0", 900_000, 1_000_000);
        try (PowerSensor sensor = RaplSensor.open(root, true)) {
            double[] out = new double[1];
            sensor.sample(out, true);
            assertEquals(0.0, out[0], 1e-12);
            set(pkg, 100_000);
            sensor.sample(out, false);
            assertEquals(0.2, out[0], 1e-12);
            set(pkg, 300_000);
            sensor.sample(out, false);
            assertEquals(0.4, out[0], 1e-12);
            set(pkg, 50_000);
            sensor.sample(out, true);
            assertEquals(1.15, out[0], 1e-12);
        }
    }

    @Test
    void amdRaplNamingIsAccepted() throws Exception {
        zone(dir("amd-rapl:0"), "package-0", 42, RANGE);
        try (PowerSensor sensor = RaplSensor.open(root, true)) {
            assertEquals("amd-rapl:0", sensor.channels().get(0).device());
            assertEquals(1, sensor.channels().size());
        }
    }

    @Test
    void permissionDeniedSaysHowToGrantAccess() throws Exception {
        Path pkg = zone(dir("intel-rapl:0"), "package-0", 42, RANGE);
        Path energy = pkg.resolve("energy_uj");
        Files.setPosixFilePermissions(energy, PosixFilePermissions.fromString("---------"));
        assumeFalse(Files.isReadable(energy), "running as root: every file is readable");
        SensorUnavailableException e = assertThrows(SensorUnavailableException.class, () -> RaplSensor.open(root, true));
        assertUnreadableMessage(e.getMessage(), energy);
        assertTrue(e.getMessage().contains("permission denied"), e.getMessage());
    }

    @Test
    void unreadableCounterNamesThePathAndTheRemedies() throws Exception {
        // works as root too: a directory in place of the file cannot be read
        Path pkg = dir("intel-rapl:0");
        Files.createDirectories(pkg.resolve("energy_uj"));
        Files.writeString(pkg.resolve("name"), "package-0\n");
        Files.writeString(pkg.resolve("max_energy_range_uj"), RANGE + "\n");
        SensorUnavailableException e = assertThrows(SensorUnavailableException.class, () -> RaplSensor.open(root, true));
        assertUnreadableMessage(e.getMessage(), pkg.resolve("energy_uj"));
    }

    private void assertUnreadableMessage(String message, Path energy) {
        assertTrue(message.startsWith("RAPL energy counters at " + energy + " are not readable ("), message);
        assertTrue(message.contains("root-only since Linux 5.10, CVE-2020-8694"), message);
        assertTrue(message.contains("run as root"), message);
        assertTrue(message.contains("`sudo chmod o+r " + root.resolve("intel-rapl:*").resolve("energy_uj") + "`"), message);
        assertTrue(message.contains("use -prof cpu for a labelled estimate"), message);
        assertEquals(-1, message.indexOf('\n'), "one line");
    }

    @Test
    void noZonesSaysSo() throws Exception {
        SensorUnavailableException empty = assertThrows(SensorUnavailableException.class,
                () -> RaplSensor.open(root, true));
        assertTrue(empty.getMessage().contains("no RAPL package zone under " + root), empty.getMessage());
        assertTrue(empty.getMessage().contains("-prof cpu"), empty.getMessage());

        zone(dir("intel-rapl:0"), "psys", 1, RANGE);
        zone(dir("intel-rapl-mmio:0"), "package-0", 1, RANGE);
        assertThrows(SensorUnavailableException.class, () -> RaplSensor.open(root, true));

        SensorUnavailableException missing = assertThrows(SensorUnavailableException.class,
                () -> RaplSensor.open(root.resolve("absent"), true));
        assertTrue(missing.getMessage().contains(root.resolve("absent").toString()), missing.getMessage());
    }

    @Test
    void aCounterThatTurnsToGarbageFailsTheSampleWithItsPath() throws Exception {
        Path pkg = zone(dir("intel-rapl:0"), "package-0", 42, RANGE);
        try (PowerSensor sensor = RaplSensor.open(root, true)) {
            Files.writeString(pkg.resolve("energy_uj"), "garbage\n");
            UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> sensor.sample(new double[1], false));
            assertTrue(e.getMessage().contains(pkg.resolve("energy_uj").toString()), e.getMessage());
        }
    }

    @Test
    void closeIsIdempotent() throws Exception {
        zone(dir("intel-rapl:0"), "package-0", 42, RANGE);
        PowerSensor sensor = RaplSensor.open(root, true);
        sensor.close();
        sensor.close();
        assertThrows(IllegalStateException.class, () -> sensor.sample(new double[1], true));
    }
}
