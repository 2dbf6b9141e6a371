package org.tokenpowerbench.power.cpu;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;

import org.tokenpowerbench.power.Method;
import org.tokenpowerbench.power.PowerChannel;
import org.tokenpowerbench.power.PowerSensor;
import org.tokenpowerbench.power.Readings;
import org.tokenpowerbench.power.Scope;
import org.tokenpowerbench.power.SensorUnavailableException;

/**
 * A labelled <em>estimate</em> of the CPU energy this JVM process uses, for machines without a
 * readable energy counter. The embedded engine runs inside this process, so its work shows up in
 * the process's CPU time.
 *
 * <p>One channel, {@value #CHANNEL}: scope {@link Scope#CPU}, method {@link Method#ESTIMATED},
 * kind {@link PowerChannel.Kind#ENERGY_JOULES}, whose value since {@link #open} is
 * <pre>
 *   process CPU seconds × wattsPerCore  +  idleWatts × wall seconds
 * </pre>
 * Process CPU time comes from {@code com.sun.management.OperatingSystemMXBean#getProcessCpuTime}
 * and covers every thread of the process: the engine, but also the HTTP path, the JIT and the
 * garbage collector.
 *
 * <p><b>What it can resolve.</b> On Linux process CPU time moves in clock ticks of 10 ms, summed
 * over threads, so a 10 ms window can show three or four ticks where two cores could have run
 * only two: that once read as 46.5 W "peak" on 2 cores whose ceiling is 2 × 7.3 = 14.6 W. The
 * sensor therefore publishes a reading only every {@value #RESOLVED_MILLIS} ms (and at the
 * boundaries of a window, which the sampler asks for): one tick is then a tenth of one core's
 * time, and every power figure derived from the readings (peak, average, the shape the
 * attribution splits) is a mean over at least that window, which is the sensor's
 * {@link #updatePeriod()}. A boundary reading can still come sooner after the last one, and a
 * tick can still fall on either side of a reading, so a reading is also held to the model's
 * ceiling: it never rises faster than {@link #ceilingWatts()} = cores × {@code wattsPerCore} +
 * {@code idleWatts} since the previous one, where cores is what this JVM may run on
 * ({@link Runtime#availableProcessors()}). The CPU time held back is not lost: it is published
 * with the next reading that the ceiling allows, so over a long window the estimate is the
 * formula above, and no figure exceeds what the model allows.
 *
 * <p><b>Default: {@value #DEFAULT_WATTS_PER_CORE} W per busy core.</b> A server CPU's TDP is the
 * power it sustains with every core busy at base clock, uncore included, so TDP divided by the
 * core count is the power one busy core accounts for. The default takes the Intel Xeon Platinum
 * 8280 (Cascade Lake, a common inference host): 205 W / 28 cores ≈ 7.32 W. Newer parts come
 * out lower (Xeon Platinum 8380: 270 W / 40 = 6.75 W; Xeon Platinum 8480+: 350 W / 56 =
 * 6.25 W; AMD EPYC 7763: 280 W / 64 ≈ 4.4 W), so on current servers the default leans towards
 * too many joules rather than too few. It ignores DRAM, turbo above TDP and power drawn while
 * cores wait on memory. For a better figure, run once with {@code -prof rapl} on the target
 * under load and divide the package watts above idle by the busy cores (process CPU seconds per
 * wall second); pass it as {@code wattsPerCore=}.
 *
 * <p>{@code idleWatts} (default 0) charges a constant share of the machine's idle power for
 * every wall second, for those who want the process to carry it; keep it 0 when an idle
 * baseline is subtracted separately.
 */
public final class CpuTimeSensor implements PowerSensor {

    /** Watts one fully busy core is assumed to draw: 205 W / 28 cores of a Xeon Platinum 8280. */
    public static final double DEFAULT_WATTS_PER_CORE = 7.3;
    /** Name of the single channel. */
    public static final String CHANNEL = "cpu-estimate";
    /** The shortest spacing of published readings, in ms: ten clock ticks of one core. */
    public static final long RESOLVED_MILLIS = 100;
    private static final long RESOLVED_NANOS = RESOLVED_MILLIS * 1_000_000L;

    private final double wattsPerCore;
    private final double idleWatts;
    private final LongSupplier cpuNanos;
    private final LongSupplier wallNanos;
    private final int cores;
    private final long cpuAtOpen;
    private final long wallAtOpen;
    private final List<PowerChannel> channels;
    private long wallAtLastReading;
    private double published;

    CpuTimeSensor(double wattsPerCore, double idleWatts, int cores, LongSupplier cpuNanos, LongSupplier wallNanos) {
        this.wattsPerCore = requireWatts("wattsPerCore", wattsPerCore, false);
        this.idleWatts = requireWatts("idleWatts", idleWatts, true);
        if (cores < 1) {
            throw new IllegalArgumentException("cores=" + cores + " must be at least 1");
        }
        this.cores = cores;
        this.cpuNanos = cpuNanos;
        this.wallNanos = wallNanos;
        this.cpuAtOpen = cpuNanos.getAsLong();
        this.wallAtOpen = wallNanos.getAsLong();
        this.wallAtLastReading = wallAtOpen;
        this.channels = List.of(new PowerChannel(CHANNEL, "process-" + ProcessHandle.current().pid(), Scope.CPU,
                Method.ESTIMATED, PowerChannel.Kind.ENERGY_JOULES));
    }

    /**
     * Opens the estimate for this process.
     *
     * @param wattsPerCore watts charged per second of process CPU time; positive and finite
     * @param idleWatts    watts charged per wall second; zero or positive, finite
     * @throws IllegalArgumentException   if a figure is out of range (the message names it)
     * @throws SensorUnavailableException if this JVM cannot report process CPU time
     */
    public static CpuTimeSensor open(double wattsPerCore, double idleWatts) throws SensorUnavailableException {
        requireWatts("wattsPerCore", wattsPerCore, false);
        requireWatts("idleWatts", idleWatts, true);
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (!(os instanceof com.sun.management.OperatingSystemMXBean bean)) {
            throw new SensorUnavailableException("this JVM (" + System.getProperty("java.vm.name")
                    + ") offers no com.sun.management.OperatingSystemMXBean, so the cpu estimate cannot read process"
                    + " CPU time: run on an OpenJDK-based JVM or use a measured sensor such as -prof rapl");
        }
        if (bean.getProcessCpuTime() < 0) {
            throw new SensorUnavailableException("this JVM reports no process CPU time on " + System.getProperty("os.name")
                    + ", so the cpu estimate cannot work here: use a measured sensor such as -prof rapl");
        }
        return new CpuTimeSensor(wattsPerCore, idleWatts, Runtime.getRuntime().availableProcessors(),
                bean::getProcessCpuTime, System::nanoTime);
    }

    static double requireWatts(String option, double watts, boolean zeroAllowed) {
        boolean ok = Double.isFinite(watts) && (zeroAllowed ? watts >= 0 : watts > 0);
        if (!ok) {
            throw new IllegalArgumentException("cpu option " + option + "=" + format(watts) + " must be a "
                    + (zeroAllowed ? "finite number of watts, zero or more" : "positive, finite number of watts")
                    + ": " + hint(option));
        }
        return watts;
    }

    static String hint(String option) {
        return option.equals("wattsPerCore")
                ? "give what one fully busy core draws, e.g. wattsPerCore=" + DEFAULT_WATTS_PER_CORE
                : "give the idle watts to charge per wall second, e.g. idleWatts=0";
    }

    private static String format(double watts) {
        return watts == Math.rint(watts) && Double.isFinite(watts)
                ? String.format(Locale.ROOT, "%.0f", watts) : Double.toString(watts);
    }

    /** Watts charged per second of process CPU time. */
    public double wattsPerCore() {
        return wattsPerCore;
    }

    /** Watts charged per wall second. */
    public double idleWatts() {
        return idleWatts;
    }

    /** The most this model can charge per wall second: every core busy, plus the idle watts. */
    public double ceilingWatts() {
        return cores * wattsPerCore + idleWatts;
    }

    /** The cores the ceiling counts. */
    public int cores() {
        return cores;
    }

    @Override
    public String id() {
        return "cpu";
    }

    @Override
    public List<PowerChannel> channels() {
        return channels;
    }

    /**
     * Writes the estimated joules since {@link #open}, held to the ceiling, at a boundary or when
     * {@value #RESOLVED_MILLIS} ms have passed since the last reading; {@link Double#NaN} (no
     * reading) otherwise.
     */
    @Override
    public void sample(double[] out, boolean boundary) {
        out[0] = read(boundary);
    }

    /**
     * As {@link #sample(double[], boolean)}, with the reading stamped at the moment the ceiling was
     * computed for, so that the trace's spacing is the one the ceiling holds to.
     */
    @Override
    public void sample(Readings out, boolean boundary) {
        double value = read(boundary);
        if (!Double.isNaN(value)) {
            out.set(0, value, wallAtLastReading);
        }
    }

    private double read(boolean boundary) {
        long wall = wallNanos.getAsLong();
        if (!boundary && wall - wallAtLastReading < RESOLVED_NANOS) {
            return Double.NaN;
        }
        long cpu = cpuNanos.getAsLong();
        if (cpu < 0) {
            throw new IllegalStateException("the JVM stopped reporting process CPU time (got " + cpu + ")");
        }
        double formula = (cpu - cpuAtOpen) * 1e-9 * wattsPerCore + (wall - wallAtOpen) * 1e-9 * idleWatts;
        double allowed = published + (wall - wallAtLastReading) * 1e-9 * ceilingWatts();
        published = Math.max(published, Math.min(formula, allowed));
        wallAtLastReading = wall;
        return published;
    }

    /**
     * {@value #RESOLVED_MILLIS} ms: the shortest spacing of readings, over which one clock tick is
     * a tenth of a core (see the class comment).
     */
    @Override
    public Duration updatePeriod() {
        return Duration.ofMillis(RESOLVED_MILLIS);
    }

    /** Says which window the power figures are means over, and the ceiling they are held to. */
    @Override
    public java.util.Map<String, String> environment() {
        return java.util.Map.of(
                "cpu.readingWindowMs", Long.toString(RESOLVED_MILLIS),
                "cpu.cores", Integer.toString(cores),
                "cpu.ceilingWatts", String.format(Locale.ROOT, "%.3f", ceilingWatts()));
    }

    /** Nothing to release. */
    @Override
    public void close() {
    }
}
