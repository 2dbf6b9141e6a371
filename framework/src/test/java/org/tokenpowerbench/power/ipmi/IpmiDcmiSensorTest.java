package org.tokenpowerbench.power.ipmi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tokenpowerbench.UserError;
import org.tokenpowerbench.power.PowerSampler;
import org.tokenpowerbench.power.PowerSensor;
import org.tokenpowerbench.power.PowerSensors;
import org.tokenpowerbench.power.PowerTrace;
import org.tokenpowerbench.power.Scope;
import org.tokenpowerbench.power.SensorUnavailableException;

/**
 * The DCMI power reading as ipmitool prints it, from fixtures of our own written from the DCMI 1.5
 * Get Power Reading fields (the two period spellings ipmitool versions print, and a BMC whose
 * measurement is off), read through a real process standing in for ipmitool: Debian's OpenIPMI
 * simulator ({@code ipmi_sim}) was not tried, so no simulated BMC is behind these.
 */
class IpmiDcmiSensorTest {

    private static String fixture(String name) throws IOException {
        try (InputStream in = IpmiDcmiSensorTest.class.getResourceAsStream("/ipmi/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** A stand-in for ipmitool: prints the fixture, and writes its arguments and whether it got a password. */
    private static Path fakeIpmitool(Path dir, String fixture) throws IOException {
        Path answer = dir.resolve("answer.txt");
        Files.writeString(answer, fixture(fixture));
        Path script = dir.resolve("ipmitool");
        Files.writeString(script, "#!/bin/sh\necho \"$@\" > '" + dir.resolve("args") + "'\n"
                + "echo \"${IPMI_PASSWORD:+set}\" > '" + dir.resolve("password") + "'\n"
                + "printf '%s' \"$IPMI_PASSWORD\" > '" + dir.resolve("password-value") + "'\n"
                + "cat '" + answer + "'\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    @Test
    void parsesBothPeriodSpellingsAndTheState() throws Exception {
        DcmiPowerReading s = DcmiPowerReading.parse(fixture("dcmi-seconds.txt"));
        assertEquals(220, s.currentWatts());
        assertEquals(48, s.minWatts());
        assertEquals(392, s.maxWatts());
        assertEquals(217, s.averageWatts());
        assertEquals(Duration.ofSeconds(1), s.period());
        assertTrue(s.active());
        DcmiPowerReading ms = DcmiPowerReading.parse(fixture("dcmi-milliseconds.txt"));
        assertEquals(1184, ms.currentWatts());
        assertEquals(Duration.ofMillis(5000), ms.period());
        assertFalse(DcmiPowerReading.parse(fixture("dcmi-deactivated.txt")).active());
        assertThrows(IllegalArgumentException.class, () -> DcmiPowerReading.parse("Get Power Reading command failed"));
    }

    @Test
    void readsInBandAtItsIntervalAndPlacesEachReadingInItsRead(@TempDir Path dir) throws Exception {
        Path tool = fakeIpmitool(dir, "dcmi-seconds.txt");
        try (PowerSensor sensor = PowerSensors.open("ipmi", Map.of("ipmitool", tool.toString(), "interval", "100ms"))) {
            assertEquals(Scope.NODE, sensor.channels().get(0).scope());
            assertEquals("1000", sensor.environment().get("bmcStatisticsPeriodMs"));
            assertTrue(sensor.updatePeriod().compareTo(Duration.ofSeconds(1)) >= 0, "a BMC resolves a second at best");
            PowerTrace trace;
            try (PowerSampler sampler = new PowerSampler(sensor, Duration.ofMillis(5))) {
                sampler.start();
                Thread.sleep(400);
                trace = sampler.stop();
            }
            assertTrue(trace.hasOwnTimes(0));
            double[] watts = trace.values(0);
            int read = 0;
            for (double w : watts) {
                if (!Double.isNaN(w)) {
                    assertEquals(220, w);
                    read++;
                }
            }
            assertTrue(read >= 2 && read < watts.length, read + " reads of " + watts.length + " samples: the interval"
                    + " holds reads back, the window's ends are read");
        }
        assertEquals("dcmi power reading", Files.readString(dir.resolve("args")).strip());
    }

    @Test
    void aRemoteBmcGetsItsPasswordThroughTheEnvironmentOnly(@TempDir Path dir) throws Exception {
        Path tool = fakeIpmitool(dir, "dcmi-milliseconds.txt");
        // two variables every test JVM has stand in for the user's BMC_USER and BMC_PASSWORD
        String password = System.getenv("PATH");
        try (PowerSensor sensor = PowerSensors.open("ipmi", Map.of("ipmitool", tool.toString(), "host", "bmc-7",
                "userEnv", "HOME", "passwordEnv", "PATH"))) {
            String described = sensor.environment().toString();
            assertFalse(described.contains(password), described);
            assertTrue(described.contains("$PATH"), described);
            assertEquals("bmc-7", sensor.channels().get(0).device());
        }
        String args = Files.readString(dir.resolve("args"));
        assertTrue(args.startsWith("-I lanplus -H bmc-7 -U " + System.getenv("HOME") + " -E dcmi power reading"), args);
        assertFalse(args.contains(password), "never on the command line");
        assertEquals(password, Files.readString(dir.resolve("password-value")));
    }

    @Test
    void whatTheUserMustFixIsOneLine(@TempDir Path dir) throws Exception {
        SensorUnavailableException missing = assertThrows(SensorUnavailableException.class,
                () -> PowerSensors.open("ipmi", Map.of("ipmitool", dir.resolve("no-ipmitool").toString())));
        assertTrue(missing.getMessage().contains("apt-get install ipmitool"), missing.getMessage());
        Path off = fakeIpmitool(dir, "dcmi-deactivated.txt");
        SensorUnavailableException deactivated = assertThrows(SensorUnavailableException.class,
                () -> PowerSensors.open("ipmi", Map.of("ipmitool", off.toString())));
        assertTrue(deactivated.getMessage().contains("dcmi power activate"), deactivated.getMessage());
        UserError unset = assertThrows(UserError.class, () -> PowerSensors.open("ipmi", Map.of("host", "bmc",
                "userEnv", "TPB_SURELY_UNSET_USER", "passwordEnv", "PATH")));
        assertTrue(unset.getMessage().contains("TPB_SURELY_UNSET_USER"), unset.getMessage());
        assertThrows(UserError.class, () -> PowerSensors.open("ipmi", Map.of("passwordEnv", "PATH")));
    }
}
