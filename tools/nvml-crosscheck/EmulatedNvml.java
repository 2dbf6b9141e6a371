import java.util.List;
import org.tokenpowerbench.power.nvml.NvmlDeviceHandle;
import org.tokenpowerbench.power.nvml.NvmlException;
import org.tokenpowerbench.power.nvml.NvmlFieldValue;
import org.tokenpowerbench.power.nvml.NvmlFields;
import org.tokenpowerbench.power.nvml.NvmlLibrary;
import org.tokenpowerbench.power.nvml.NvmlReturn;
import org.tokenpowerbench.power.nvml.NvmlValueType;

/**
 * A driver for {@code NvmlSamplerCost driver=emulated}: GPUs that behave as an H200 did in the
 * measurements of docs/gpu-proof.md, so that the sampler's schedule can be exercised without a GPU.
 * It is an emulation, and everything printed with it says so.
 *
 * <ul>
 *   <li>The energy counter steps every 100 ms. Each step lies on its GPU's grid, moved by up to
 *       ±{@code jitterMs} (fixed per step), and a read returns the value of the latest step.</li>
 *   <li>A counter read busy-waits {@code readMs} (about 4 ms on an H200), on the calling thread's
 *       CPU, and then takes its value, as the driver's own read does (it takes the value late in
 *       the call: session 27's H100 counter logs, docs/gpu-proof.md).</li>
 *   <li>The power buffer holds a sample every 20 ms, the last 2.4 s, stamped on the wall clock. A
 *       fetch busy-waits {@code fetchMs} (0.55 by default: an H200's fetches cost 0.49-0.63 ms of
 *       CPU each in session 14, docs/gpu-proof.md).</li>
 *   <li>The clock event reasons busy-wait {@code reasonsUs} (15 by default: 11-19 µs there).</li>
 *   <li>Power is a constant {@code WATTS}; field 186, the clocks, temperature and the hold-back
 *       times answer at once.</li>
 *   <li>{@code together=true}: every GPU steps on one grid (as one GPU presented N times does);
 *       else GPU k's grid is moved by 37·k ms.</li>
 *   <li>{@code cycle=true}: a counter read costs what the H100 counter log of session 29 showed by
 *       the moment it began after its GPU's latest step ({@code tools/gpu-proof/read_cost.py --bins},
 *       docs/gpu-proof.md), instead of {@code readMs} always: begun 0-10 ms after a step, held until
 *       19 ms after it (9 to 15 ms); then, in each 20 ms of the driver's own cycle, 4.8 ms in its
 *       first 7 ms, 3.1 ms in the next 10 and 3.6 ms in its last 3 (10-17 ms after the step, where
 *       the log began no read, is taken as the cycle's costly part).</li>
 * </ul>
 */
final class EmulatedNvml implements NvmlLibrary {

    private static final long MS = 1_000_000L;
    private static final long PERIOD = 100 * MS;
    private static final long BUFFER_SPACING = 20 * MS;
    private static final int BUFFER_DEPTH = 120;
    private static final double WATTS = 300;

    private final int gpus;
    private final boolean together;
    private final long jitterNanos;
    private final long readNanos;
    private final long fetchNanos;
    private final long reasonsNanos;
    private final boolean cycle;
    /** The wall clock minus System.nanoTime(), taken once: the buffer's stamps are on the wall clock. */
    private final long wallOffsetNanos;

    EmulatedNvml(int gpus, boolean together, double jitterMs, double readMs, double fetchMs, double reasonsUs) {
        this(gpus, together, jitterMs, readMs, fetchMs, reasonsUs, false);
    }

    EmulatedNvml(int gpus, boolean together, double jitterMs, double readMs, double fetchMs, double reasonsUs,
                 boolean cycle) {
        this.cycle = cycle;
        this.gpus = gpus;
        this.together = together;
        this.jitterNanos = Math.round(jitterMs * MS);
        this.readNanos = Math.round(readMs * MS);
        this.fetchNanos = Math.round(fetchMs * MS);
        this.reasonsNanos = Math.round(reasonsUs * 1000);
        java.time.Instant wall = java.time.Instant.now();
        this.wallOffsetNanos = wall.getEpochSecond() * 1_000_000_000L + wall.getNano() - System.nanoTime();
    }

    String describe() {
        return String.format(java.util.Locale.ROOT, "an emulated driver, not a GPU: %d GPU(s) %s, counter steps every"
                        + " 100 ms within ±%.1f ms of their grid, %.1f ms busy-waited per counter read, %.2f ms per buffer"
                        + " fetch, %.0f us per clock event reasons read", gpus,
                together ? "stepping together" : "stepping 37 ms apart", jitterNanos / 1e6, readNanos / 1e6,
                fetchNanos / 1e6, reasonsNanos / 1e3)
                + (cycle ? "; counter reads cost by when they begin (cycle=true: 9-15 ms in the spell after a step,"
                        + " 4.8 / 3.1 / 3.6 ms in the driver's 20 ms cycle; session 29's H100 counter log), not the"
                        + " fixed cost above" : "");
    }

    private int index(NvmlDeviceHandle device) {
        int i = (int) device.address() - 1;
        if (i < 0 || i >= gpus) {
            throw new NvmlException("emulated", NvmlReturn.INVALID_ARGUMENT, "no such device");
        }
        return i;
    }

    /** Moment of GPU i's step number k: its grid point, moved by a fixed scatter of its own. */
    private long step(int i, long k) {
        long grid = (together ? 0 : 37 * MS * i) + k * PERIOD;
        long h = (k * 31 + i) * 0x9E3779B97F4A7C15L;
        h ^= h >>> 29;
        h *= 0xBF58476D1CE4E5B9L;
        h ^= h >>> 32;
        double unit = (h >>> 11) / (double) (1L << 53);
        return grid + Math.round((2 * unit - 1) * jitterNanos);
    }

    @Override
    public long totalEnergyConsumptionMillijoules(NvmlDeviceHandle device) {
        int i = index(device);
        long begun = System.nanoTime();
        long sinceStep = begun - latestStep(i, begun);
        readClasses.incrementAndGet(readClass(sinceStep));
        spin(begun, cycle ? cycleCost(sinceStep) : readNanos);
        long now = System.nanoTime(); // the value as the call returns, as a real H100's (session 27's counter logs)
        return 5_000_000L + Math.round(WATTS * latestStep(i, now) / 1e6);
    }

    /** GPU i's latest step at or before {@code now}. */
    private long latestStep(int i, long now) {
        long k = Math.floorDiv(now - (together ? 0 : 37 * MS * i), PERIOD) + 1;
        while (step(i, k) > now) {
            k--;
        }
        return step(i, k);
    }

    /** Counter reads since {@link #resetReadClasses} by the part of the update period they began in: spell, costly, cheap, late. */
    private final java.util.concurrent.atomic.AtomicLongArray readClasses = new java.util.concurrent.atomic.AtomicLongArray(4);

    void resetReadClasses() {
        for (int c = 0; c < 4; c++) {
            readClasses.set(c, 0);
        }
    }

    /** Where the counter reads since {@link #resetReadClasses} began, by what {@code cycle=true} makes them cost. */
    String readClasses() {
        return String.format(java.util.Locale.ROOT, "%d begun in the spell (0-10 ms after a step), %d in a costly part"
                        + " (4.8 ms), %d in a cheap part (3.1 ms), %d in a cycle's last 3 ms (3.6 ms)",
                readClasses.get(0), readClasses.get(1), readClasses.get(2), readClasses.get(3));
    }

    private static int readClass(long sinceStep) {
        long cost = cycleCost(sinceStep);
        return cost >= 9 * MS ? 0 : cost == 4_800_000L ? 1 : cost == 3_100_000L ? 2 : 3;
    }

    /** What a counter read begun {@code sinceStep} after its GPU's latest step costs ({@code cycle=true}). */
    static long cycleCost(long sinceStep) {
        if (sinceStep < 10 * MS) {
            return Math.max(9 * MS, Math.min(15 * MS, 19 * MS - sinceStep)); // the spell: held until about 19 ms
        }
        if (sinceStep < 20 * MS) {
            return sinceStep < 17 * MS ? 4_800_000L : 3_600_000L;
        }
        long inCycle = Math.floorMod(sinceStep - 20 * MS, 20 * MS);
        return inCycle < 7 * MS ? 4_800_000L : inCycle < 17 * MS ? 3_100_000L : 3_600_000L;
    }

    /** Busy-waits until {@code nanos} after {@code from}, as the driver does. */
    private static void spin(long from, long nanos) {
        long until = from + nanos;
        while (System.nanoTime() - until < 0) {
            Thread.onSpinWait();
        }
    }

    @Override
    public int totalPowerSamples(NvmlDeviceHandle device, long afterMicros, long[] timesMicros, double[] milliwatts) {
        index(device);
        long called = System.nanoTime();
        long newest = Math.floorDiv(called, BUFFER_SPACING);
        int n = 0;
        for (long k = newest - BUFFER_DEPTH + 1; k <= newest && n < Math.min(timesMicros.length, milliwatts.length); k++) {
            long stamp = (k * BUFFER_SPACING + wallOffsetNanos) / 1000;
            if (stamp > afterMicros) {
                timesMicros[n] = stamp;
                milliwatts[n] = WATTS * 1000;
                n++;
            }
        }
        spin(called, fetchNanos);
        return n;
    }

    @Override
    public List<NvmlFieldValue> fieldValues(NvmlDeviceHandle device, int scopeId, int... fieldIds) {
        index(device);
        long micros = (System.nanoTime() + wallOffsetNanos) / 1000;
        java.util.ArrayList<NvmlFieldValue> out = new java.util.ArrayList<>();
        for (int id : fieldIds) {
            boolean power = id == NvmlFields.POWER_INSTANT;
            boolean holdBack = id == 74 || id == 75 || id == 77 || id == 79; // perf-policy hold-back times: never held back here
            out.add(new NvmlFieldValue(id, scopeId, micros, 0,
                    holdBack ? NvmlValueType.UNSIGNED_LONG_LONG.code() : NvmlValueType.UNSIGNED_INT.code(),
                    power || holdBack ? NvmlReturn.SUCCESS : NvmlReturn.NOT_SUPPORTED,
                    power ? WATTS * 1000 : holdBack ? 0 : Double.NaN));
        }
        return out;
    }

    @Override
    public void init() {
    }

    @Override
    public int shutdown() {
        return NvmlReturn.SUCCESS;
    }

    @Override
    public String errorString(int code) {
        return "emulated error " + code;
    }

    @Override
    public String driverVersion() {
        return "emulated";
    }

    @Override
    public String nvmlVersion() {
        return "emulated";
    }

    @Override
    public int deviceCount() {
        return gpus;
    }

    @Override
    public NvmlDeviceHandle handleByIndex(int index) {
        return new NvmlDeviceHandle(index + 1);
    }

    @Override
    public String uuid(NvmlDeviceHandle device) {
        return String.format("GPU-00000000-0000-0000-0000-emulated%04d", index(device));
    }

    @Override
    public String name(NvmlDeviceHandle device) {
        index(device);
        return "emulated H200";
    }

    @Override
    public long enforcedPowerLimitMilliwatts(NvmlDeviceHandle device) {
        index(device);
        return 700_000;
    }

    @Override
    public long powerUsageMilliwatts(NvmlDeviceHandle device) {
        index(device);
        return Math.round(WATTS * 1000);
    }

    @Override
    public long clocksEventReasons(NvmlDeviceHandle device) {
        index(device);
        spin(System.nanoTime(), reasonsNanos);
        return 0;
    }

    @Override
    public int temperatureCelsius(NvmlDeviceHandle device) {
        index(device);
        return 45;
    }

    @Override
    public int smClockMHz(NvmlDeviceHandle device) {
        index(device);
        return 1980;
    }
}
