import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.tokenpowerbench.power.nvml.JnaNvmlLibrary;
import org.tokenpowerbench.power.nvml.NvmlDeviceHandle;
import org.tokenpowerbench.power.nvml.NvmlFieldValue;
import org.tokenpowerbench.power.nvml.NvmlLibrary;

/**
 * Is NVML's total-energy <em>field</em> ({@code NVML_FI_DEV_TOTAL_ENERGY_CONSUMPTION}, 83) a cheaper
 * way to read the energy counter than {@code nvmlDeviceGetTotalEnergyConsumption}, which costs about
 * 4 ms of driver CPU a read on an H200? Prints: the CPU and wall time of each; whether the two agree;
 * and, read every millisecond for a few seconds, how often the field's value and its timestamp change,
 * and where the timestamp sits against the first read that shows a new value.
 *
 * <pre>java -cp classes:jna.jar:probe NvmlEnergyFieldProbe [seconds]</pre>
 */
public final class NvmlEnergyFieldProbe {
    private static final int TOTAL_ENERGY = 83;
    private static final int POWER_INSTANT = 186;

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 4;
        JnaNvmlLibrary nvml = JnaNvmlLibrary.load();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        nvml.init();
        try {
            NvmlDeviceHandle h = nvml.handleByIndex(0);
            NvmlFieldValue first = nvml.fieldValues(h, 0, TOTAL_ENERGY).get(0);
            System.out.println("field 83: " + first);
            if (!first.ok()) {
                return;
            }
            cost(threads, "field 83 (total energy)", 2000, () -> nvml.fieldValues(h, 0, TOTAL_ENERGY));
            cost(threads, "fields 83 + 186 in one call", 2000, () -> nvml.fieldValues(h, 0, TOTAL_ENERGY, POWER_INSTANT));
            cost(threads, "nvmlDeviceGetTotalEnergyConsumption", 50, () -> nvml.totalEnergyConsumptionMillijoules(h));
            for (int i = 0; i < 5; i++) {
                long a = (long) nvml.fieldValues(h, 0, TOTAL_ENERGY).get(0).value();
                long c = nvml.totalEnergyConsumptionMillijoules(h);
                long b = (long) nvml.fieldValues(h, 0, TOTAL_ENERGY).get(0).value();
                System.out.printf(Locale.ROOT, "field %d, call %d, field %d (mJ)%n", a, c, b);
                Thread.sleep(37);
            }
            watch(nvml, h, seconds);
        } finally {
            nvml.shutdown();
        }
    }

    /** Reads field 83 (and 186) every millisecond; reports value and timestamp changes. */
    private static void watch(NvmlLibrary nvml, NvmlDeviceHandle h, double seconds) throws Exception {
        List<long[]> rows = new ArrayList<>(); // wallMicros before, value, field timestamp, 186 value, 186 timestamp
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end) {
            long wall = System.currentTimeMillis() * 1000 + (System.nanoTime() / 1000) % 1000;
            List<NvmlFieldValue> v = nvml.fieldValues(h, 0, TOTAL_ENERGY, POWER_INSTANT);
            rows.add(new long[] {wall, (long) v.get(0).value(), v.get(0).timestampMicros(), (long) v.get(1).value(),
                    v.get(1).timestampMicros(), v.get(0).latencyMicros()});
            Thread.sleep(1);
        }
        List<Long> valueGaps = new ArrayList<>();
        List<Long> stampGaps = new ArrayList<>();
        List<Long> stampToRead = new ArrayList<>();
        List<Long> powerStampGaps = new ArrayList<>();
        long lastValueAt = -1;
        long lastStamp = -1;
        long lastPowerStamp = -1;
        int stampChangesWithoutValue = 0;
        for (int i = 1; i < rows.size(); i++) {
            long[] p = rows.get(i - 1);
            long[] r = rows.get(i);
            if (r[1] != p[1]) {
                if (lastValueAt >= 0) {
                    valueGaps.add(r[0] - lastValueAt);
                }
                lastValueAt = r[0];
                stampToRead.add(r[0] - r[2]);
            }
            if (r[2] != p[2]) {
                if (lastStamp >= 0) {
                    stampGaps.add(r[2] - lastStamp);
                }
                lastStamp = r[2];
                if (r[1] == p[1]) {
                    stampChangesWithoutValue++;
                }
            }
            if (r[4] != p[4]) {
                if (lastPowerStamp >= 0) {
                    powerStampGaps.add(r[4] - lastPowerStamp);
                }
                lastPowerStamp = r[4];
            }
        }
        System.out.printf(Locale.ROOT, "%d reads over %.1f s%n", rows.size(), seconds);
        System.out.println("field 83 value changes, µs apart (by read time): " + summary(valueGaps));
        System.out.println("field 83 timestamp changes, µs apart (by stamp): " + summary(stampGaps)
                + "; stamp changes without a value change: " + stampChangesWithoutValue);
        System.out.println("first read showing a new value minus its stamp, µs: " + summary(stampToRead));
        System.out.println("field 186 timestamp changes, µs apart: " + summary(powerStampGaps));
        for (int i = 0; i < Math.min(12, rows.size()); i++) {
            System.out.println("  " + Arrays.toString(rows.get(i)));
        }
    }

    private static String summary(List<Long> xs) {
        if (xs.isEmpty()) {
            return "none";
        }
        long[] s = xs.stream().mapToLong(Long::longValue).sorted().toArray();
        return String.format(Locale.ROOT, "n=%d min %d p25 %d median %d p75 %d max %d", s.length, s[0], s[s.length / 4],
                s[s.length / 2], s[3 * s.length / 4], s[s.length - 1]);
    }

    private static void cost(ThreadMXBean threads, String what, int n, Runnable read) {
        read.run();
        long cpu0 = threads.getCurrentThreadCpuTime();
        long w0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            read.run();
        }
        long wall = System.nanoTime() - w0;
        long cpu = threads.getCurrentThreadCpuTime() - cpu0;
        System.out.printf(Locale.ROOT, "%s: wall mean %.1f us, CPU mean %.1f us (%d reads)%n", what, wall / 1e3 / n,
                cpu / 1e3 / n, n);
    }
}
