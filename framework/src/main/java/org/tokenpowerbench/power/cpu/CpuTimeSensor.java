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
 * garbage collector. On Linux it advances in clock ticks (10 ms), hence an update period of
 * 10 ms.
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

    private final double wattsPerCore;
    private final double idleWatts;
    private final LongSupplier cpuNanos;
    private final LongSupplier wallNanos;
    private final long cpuAtOpen;
    private final long wallAtOpen;
    private final List<PowerChannel> channels;

    CpuTimeSensor(double wattsPerCore, double idleWatts, LongSupplier cpuNanos, LongSupplier wallNanos) {
        this.wattsPerCore = requireWatts("wattsPerCore", wattsPerCore, false);
        this.idleWatts = requireWatts("idleWatts", idleWatts, true);
        this.cpuNanos = cpuNanos;
        this.wallNanos = wallNanos;
        this.cpuAtOpen = cpuNanos.getAsLong();
        this.wallAtOpen = wallNanos.getAsLong();
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
        return new CpuTimeSensor(wattsPerCore, idleWatts, bean::getProcessCpuTime, System::nanoTime);
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

    @Override
    public String id() {
        return "cpu";
    }

    @Override
    public List<PowerChannel> channels() {
        return channels;
    }

    /** Writes the estimated joules since {@link #open}; cheap, so every sample reads it. */
    @Override
    public void sample(double[] out, boolean boundary) {
        long cpu = cpuNanos.getAsLong();
        if (cpu < 0) {
            throw new IllegalStateException("the JVM stopped reporting process CPU time (got " + cpu + ")");
        }
        long wall = wallNanos.getAsLong();
        out[0] = (cpu - cpuAtOpen) * 1e-9 * wattsPerCore + (wall - wallAtOpen) * 1e-9 * idleWatts;
    }

    /** Process CPU time advances in clock ticks of 10 ms on Linux. */
    @Override
    public Duration updatePeriod() {
        return Duration.ofMillis(10);
    }

    /** Nothing to release. */
    @Override
    public void close() {
    }
}
