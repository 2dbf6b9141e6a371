package org.tokenpowerbench.power.rapl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.tokenpowerbench.power.Method;
import org.tokenpowerbench.power.PowerChannel;
import org.tokenpowerbench.power.PowerSensor;
import org.tokenpowerbench.power.Scope;
import org.tokenpowerbench.power.SensorUnavailableException;

/**
 * CPU package and DRAM energy from the Linux powercap RAPL driver ({@code /sys/class/powercap}).
 *
 * <p>Zones nest: a package zone {@code intel-rapl:N} (whose {@code name} file reads
 * {@code package-N}) already contains its {@code core} and {@code uncore} sub-zones, so only the
 * packages are read, plus each package's {@code dram} sub-zone ({@code intel-rapl:N:M} named
 * {@code dram}), which lies outside the package. Sub-zones other than DRAM, {@code psys} and the
 * duplicate {@code intel-rapl-mmio} tree are ignored so that nothing is counted twice. The
 * {@code amd-rapl:N} spelling is accepted as well.
 *
 * <p>Channels: one {@link PowerChannel.Kind#ENERGY_JOULES} counter per package
 * ({@code package-N}, scope {@link Scope#CPU}) and per DRAM zone ({@code dram-N}, scope
 * {@link Scope#DRAM}), method {@link Method#COUNTER}. Values are joules since the sensor was
 * opened. {@code energy_uj} wraps at {@code max_energy_range_uj}: each channel keeps its last raw
 * value and adds the range whenever the raw value goes down. A wrap is detected only if the
 * counter is read at least once per wrap period (minutes to hours at full load), which a running
 * {@link org.tokenpowerbench.power.PowerSampler} does easily. Every channel is read on every
 * sample; a read costs a few microseconds.
 *
 * <p>Reading {@code energy_uj} is restricted to root since Linux 5.10 (CVE-2020-8694);
 * {@link #open} then fails with a message that says how to grant access.
 */
public final class RaplSensor implements PowerSensor {

    /** Where the kernel exposes powercap zones. */
    public static final Path DEFAULT_ROOT = Path.of("/sys/class/powercap");

    private static final Pattern PACKAGE_ZONE = Pattern.compile("(intel-rapl|amd-rapl):(\\d+)");
    private static final Pattern PACKAGE_NAME = Pattern.compile("package-(\\d+)");

    private final List<PowerChannel> channels;
    private final Counter[] counters;
    private boolean closed;

    private RaplSensor(List<PowerChannel> channels, Counter[] counters) {
        this.channels = List.copyOf(channels);
        this.counters = counters;
    }

    /**
     * Finds the package (and optionally DRAM) zones under {@code root} and opens their counters.
     *
     * @param root        the powercap directory, normally {@link #DEFAULT_ROOT}
     * @param includeDram whether to add each package's DRAM zone where one exists
     * @throws SensorUnavailableException when there is no package zone or a counter cannot be
     *                                    read; the message names the path and what to do
     */
    public static RaplSensor open(Path root, boolean includeDram) throws SensorUnavailableException {
        List<Zone> zones = discover(root, includeDram);
        List<PowerChannel> channels = new ArrayList<>(zones.size());
        Counter[] counters = new Counter[zones.size()];
        try {
            for (int i = 0; i < zones.size(); i++) {
                Zone zone = zones.get(i);
                channels.add(new PowerChannel(zone.channelName(), zone.dirName(), zone.scope(), Method.COUNTER,
                        PowerChannel.Kind.ENERGY_JOULES));
                counters[i] = Counter.open(root, zone);
            }
        } catch (SensorUnavailableException | RuntimeException e) {
            closeAll(counters);
            throw e;
        }
        return new RaplSensor(channels, counters);
    }

    @Override
    public String id() {
        return "rapl";
    }

    @Override
    public List<PowerChannel> channels() {
        return channels;
    }

    /** Reads every counter (boundary or not: reads are cheap) as joules since {@link #open}. */
    @Override
    public void sample(double[] out, boolean boundary) {
        if (closed) {
            throw new IllegalStateException("the rapl sensor is closed: open a new one");
        }
        for (int i = 0; i < counters.length; i++) {
            out[i] = counters[i].joules();
        }
    }

    /** The RAPL counters refresh about every millisecond. */
    @Override
    public Duration updatePeriod() {
        return Duration.ofMillis(1);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            closeAll(counters);
        }
    }

    private static void closeAll(Counter[] counters) {
        for (Counter counter : counters) {
            if (counter != null) {
                counter.close();
            }
        }
    }

    /** A zone to read: its directory, the channel it becomes and its scope. */
    record Zone(String dirName, Path dir, String channelName, Scope scope) {
    }

    static List<Zone> discover(Path root, boolean includeDram) throws SensorUnavailableException {
        if (!Files.isDirectory(root)) {
            throw new SensorUnavailableException("no powercap directory at " + root
                    + ": this machine exposes no RAPL energy counters (no intel_rapl driver, or a VM or container"
                    + " without /sys/class/powercap); use -prof cpu for a labelled estimate");
        }
        List<String> names = list(root);
        List<Matcher> packages = new ArrayList<>();
        for (String name : names) {
            Matcher m = PACKAGE_ZONE.matcher(name);
            if (m.matches()) {
                packages.add(m);
            }
        }
        packages.sort(Comparator.<Matcher, String>comparing(m -> m.group(1).equals("intel-rapl") ? "0" : "1")
                .thenComparingLong(m -> Long.parseLong(m.group(2))));
        List<Zone> zones = new ArrayList<>();
        Set<String> channelNames = new HashSet<>();
        for (Matcher m : packages) {
            String dirName = m.group();
            Path dir = root.resolve(dirName);
            Matcher pkg = PACKAGE_NAME.matcher(zoneName(dir));
            if (!pkg.matches() || !channelNames.add(pkg.group())) {
                continue; // psys and other platform zones contain the packages; never add them
            }
            zones.add(new Zone(dirName, dir, pkg.group(), Scope.CPU));
            if (includeDram) {
                addDram(root, dirName, dir, pkg.group(1), zones, channelNames);
            }
        }
        if (zones.isEmpty()) {
            throw new SensorUnavailableException("no RAPL package zone under " + root
                    + " (looked for intel-rapl:N or amd-rapl:N whose name is package-N): load the intel_rapl_msr"
                    + " kernel module, or, in a VM or container without RAPL, use -prof cpu for a labelled estimate");
        }
        return zones;
    }

    private static void addDram(Path root, String dirName, Path dir, String packageNumber, List<Zone> zones,
                                Set<String> channelNames) {
        Pattern sub = Pattern.compile(Pattern.quote(dirName) + ":(\\d+)");
        // Real sysfs lists sub-zones inside the package directory and again as links at the top.
        Map<Long, Path> candidates = new TreeMap<>();
        for (Path parent : List.of(dir, root)) {
            for (String name : list(parent)) {
                Matcher m = sub.matcher(name);
                if (m.matches()) {
                    candidates.putIfAbsent(Long.parseLong(m.group(1)), parent.resolve(name));
                }
            }
        }
        for (Map.Entry<Long, Path> e : candidates.entrySet()) {
            Path subDir = e.getValue();
            if (zoneName(subDir).equals("dram")) {
                String channel = "dram-" + packageNumber;
                if (!channelNames.add(channel)) {
                    channel = channel + "." + e.getKey();
                    channelNames.add(channel);
                }
                zones.add(new Zone(subDir.getFileName().toString(), subDir, channel, Scope.DRAM));
            }
        }
    }

    private static List<String> list(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static String zoneName(Path dir) {
        try {
            return Files.readString(dir.resolve("name"), StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            return "";
        }
    }

    /** One wrap-corrected {@code energy_uj} counter, kept open between reads. */
    private static final class Counter {
        private final Path path;
        private final FileChannel file;
        private final long rangeUj;
        private final long firstRawUj;
        private final ByteBuffer buffer = ByteBuffer.allocate(32);
        private long lastRawUj;
        private long wrappedUj;

        private Counter(Path path, FileChannel file, long rangeUj) throws IOException {
            this.path = path;
            this.file = file;
            this.rangeUj = rangeUj;
            this.firstRawUj = readRaw();
            this.lastRawUj = firstRawUj;
        }

        static Counter open(Path root, Zone zone) throws SensorUnavailableException {
            Path energy = zone.dir().resolve("energy_uj");
            FileChannel file;
            try {
                file = FileChannel.open(energy, StandardOpenOption.READ);
            } catch (NoSuchFileException e) {
                throw new SensorUnavailableException("RAPL zone " + zone.dir() + " has no energy counter (" + energy
                        + " is missing): this kernel's powercap driver does not report energy for it;"
                        + " use -prof cpu for a labelled estimate", e);
            } catch (IOException e) {
                throw new SensorUnavailableException(unreadable(root, zone, energy, e), e);
            }
            try {
                return new Counter(energy, file, readRange(zone.dir().resolve("max_energy_range_uj")));
            } catch (IOException e) {
                closeQuietly(file);
                throw new SensorUnavailableException(unreadable(root, zone, energy, e), e);
            } catch (SensorUnavailableException | RuntimeException e) {
                closeQuietly(file);
                throw e;
            }
        }

        private static String unreadable(Path root, Zone zone, Path energy, IOException e) {
            String reason = e instanceof AccessDeniedException ? "permission denied"
                    : e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
            String prefix = zone.dirName().substring(0, zone.dirName().indexOf(':'));
            return "RAPL energy counters at " + energy + " are not readable (" + reason
                    + "; root-only since Linux 5.10, CVE-2020-8694): run as root, or grant read access with `sudo chmod o+r "
                    + root.resolve(prefix + ":*").resolve("energy_uj")
                    + "`, or use -prof cpu for a labelled estimate";
        }

        private static long readRange(Path path) throws SensorUnavailableException {
            String text = null;
            try {
                text = Files.readString(path, StandardCharsets.US_ASCII).trim();
                long range = Long.parseLong(text);
                if (range > 0) {
                    return range;
                }
            } catch (IOException | NumberFormatException e) {
                throw new SensorUnavailableException("cannot read the RAPL wrap-around range " + path + " (" + e
                        + "): without it energy totals break when the counter wraps; check the powercap driver,"
                        + " or use -prof cpu for a labelled estimate", e);
            }
            throw new SensorUnavailableException("the RAPL wrap-around range " + path + " is '" + text
                    + "', not a positive number of microjoules: check the powercap driver,"
                    + " or use -prof cpu for a labelled estimate");
        }

        double joules() {
            long raw;
            try {
                raw = readRaw();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + path + ": " + e.getMessage(), e);
            }
            if (raw < lastRawUj) {
                wrappedUj += rangeUj;
            }
            lastRawUj = raw;
            return (wrappedUj + raw - firstRawUj) * 1e-6;
        }

        /** Reads the file from offset 0; sysfs regenerates an attribute's text on every such read. */
        private long readRaw() throws IOException {
            buffer.clear();
            long position = 0;
            while (buffer.hasRemaining()) {
                int n = file.read(buffer, position);
                if (n <= 0) {
                    break;
                }
                position += n;
            }
            long value = 0;
            int digits = 0;
            for (int i = 0; i < buffer.position(); i++) {
                byte b = buffer.get(i);
                if (b >= '0' && b <= '9') {
                    value = value * 10 + (b - '0');
                    digits++;
                } else if (digits > 0 || (b != ' ' && b != '\n' && b != '\t')) {
                    break;
                }
            }
            if (digits == 0) {
                throw new IOException("expected a number of microjoules, found '"
                        + new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).trim() + "'");
            }
            return value;
        }

        void close() {
            closeQuietly(file);
        }

        private static void closeQuietly(FileChannel file) {
            try {
                file.close();
            } catch (IOException ignored) {
                // nothing useful to do when closing a sysfs file fails
            }
        }
    }
}
