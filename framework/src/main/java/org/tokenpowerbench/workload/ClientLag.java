package org.tokenpowerbench.workload;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;
import org.tokenpowerbench.stats.Distribution;
import org.tokenpowerbench.stats.LatencyHistogram;

/**
 * How far the client itself fell behind during a wave: a thread that asks to wake every
 * {@link #PERIOD_NANOS} and records how late it woke, beside the process's share of the
 * machine's CPU time.
 *
 * <p>Why: every time the client records (a send, a chunk's arrival) is taken by a thread that the
 * operating system must first run. When the client's own threads outnumber the cores that can run
 * them (10,000 streams on 2 cores reported a TTFT p50 of 2.7 s against the server's 53 ms), a
 * chunk waits in the socket until its reader is scheduled, and its stamp is late by that wait:
 * latencies then measure the client, with no sign of it. The probe's thread is an ordinary one,
 * scheduled like the readers, so its lateness is what a reader's stamp suffers; a probe costs one
 * wake-up a millisecond.
 *
 * <p>A wake-up late by several periods also stands for the ticks it missed (late by one period
 * less each), as a reader that wanted to run at any of those moments waited as long: without
 * them a long stall would count once among thousands of punctual ticks.
 */
public final class ClientLag implements AutoCloseable {

    /** How often the probe asks to wake: 1 ms. */
    public static final long PERIOD_NANOS = 1_000_000L;

    /** Lag p99 at or beyond this many ms distorts latencies of a few ms: warned about. */
    public static final double WARN_MS = 1.0;
    /** Lag p99 at or beyond this share of the wave's median ITL distorts ITL and TPOT: warned about. */
    public static final double WARN_SHARE_OF_ITL = 0.1;

    /**
     * What the probe saw over one wave.
     *
     * @param lagMs    how late the probe woke, ms (missed ticks included)
     * @param cpuShare the process's CPU time over the wave's wall time and every core (1: all cores busy);
     *                 NaN where the platform does not say
     * @param readerLagMs how long each read of the selector's reader threads waited behind the other
     *                 sockets ready in the same round, ms (empty when no stream was read by the selector)
     */
    public record Reading(Distribution lagMs, double cpuShare, Distribution readerLagMs) {

        /** A reading without the selector readers' lag (none read this wave's streams). */
        public Reading(Distribution lagMs, double cpuShare) {
            this(lagMs, cpuShare, Distribution.of(new LatencyHistogram()));
        }

        /**
         * One line when the client's lag would distort the wave's latencies: the probe's lag, or
         * the selector readers' (a read waiting behind the other sockets ready at once), at p99
         * of at least {@link #WARN_MS} and at least {@link #WARN_SHARE_OF_ITL} of the median gap
         * between tokens ({@code itlP50Ms}, NaN when there is none); null otherwise.
         */
        public String warning(double itlP50Ms) {
            if (distorts(readerLagMs, itlP50Ms) && !distorts(lagMs, itlP50Ms)) {
                return String.format(Locale.ROOT, "the client's reader threads fell behind: a read waited up to %.1f ms"
                        + " (p99; max %.1f ms) behind other streams ready at the same moment, so TTFT, ITL and TPOT include"
                        + " the client's own delay (client-bound); give it more readers (-jvmArgsAppend"
                        + " -Dtpb.client.readers=N, default half the cores, 2 to 8) or run fewer streams per client",
                        readerLagMs.p99(), readerLagMs.max());
            }
            if (!distorts(lagMs, itlP50Ms)) {
                return null;
            }
            return String.format(Locale.ROOT, "the client fell behind: its threads woke up to %.1f ms late (p99; max"
                    + " %.1f ms)%s, so TTFT, ITL and TPOT include the client's own delay (client-bound); run fewer streams"
                    + " per client, or the client on more or quieter cores", lagMs.p99(), lagMs.max(),
                    Double.isFinite(cpuShare) ? String.format(Locale.ROOT, " with the process using %.0f %% of every core",
                            100 * cpuShare) : "");
        }

        private static boolean distorts(Distribution d, double itlP50Ms) {
            return d != null && d.count() > 0 && d.p99() >= WARN_MS
                    && !(Double.isFinite(itlP50Ms) && d.p99() < WARN_SHARE_OF_ITL * itlP50Ms);
        }
    }

    /** The clock and the wait the probe runs on: the system's, or a test's. */
    interface Clock {
        long nanoTime();

        /** Returns at {@code deadline} or later (how much later is the lag). */
        void parkUntil(long deadline);
    }

    private static final Clock SYSTEM = new Clock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void parkUntil(long deadline) {
            long left;
            while ((left = deadline - System.nanoTime()) > 0) {
                LockSupport.parkNanos(left);
            }
        }
    };

    private static final com.sun.management.OperatingSystemMXBean OS =
            ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os ? os : null;

    private final Clock clock;
    private final long period;
    private final LatencyHistogram lag = new LatencyHistogram();
    private final Thread thread;
    private volatile boolean running = true;
    private final long startNanos;
    private final long startCpuNanos;

    private ClientLag(Clock clock, long period, boolean ownThread) {
        this.clock = clock;
        this.period = period;
        this.startNanos = clock.nanoTime();
        this.startCpuNanos = cpuNanos();
        this.next = startNanos + period;
        if (ownThread) {
            thread = new Thread(this::run, "tpb-client-lag");
            thread.setDaemon(true);
            thread.start();
        } else {
            thread = null;
        }
    }

    /** Starts the probe on a thread of its own, at {@link #PERIOD_NANOS}. */
    public static ClientLag start() {
        return new ClientLag(SYSTEM, PERIOD_NANOS, true);
    }

    /** A probe on {@code clock} that runs only when {@link #tick} is called: for tests with a clock they drive. */
    static ClientLag onClock(Clock clock, long period) {
        return new ClientLag(clock, period, false);
    }

    /** When the next tick is due; only the probe's thread (or a test's) touches it. */
    private long next;

    private void run() {
        while (running) {
            tick();
        }
    }

    /** Waits for the next tick and records how late it came, with the ticks it missed. */
    void tick() {
        clock.parkUntil(next);
        long late = clock.nanoTime() - next;
        synchronized (lag) {
            for (long l = late; l >= 0; l -= period) {
                lag.record(l / 1e6);
            }
        }
        next += period * (late / period + 1);
    }

    /** Stops the probe and gives what it saw since it started. */
    public Reading stop() {
        return stop(new LatencyHistogram());
    }

    /**
     * Stops the probe and gives what it saw since it started, with the selector readers' lag over
     * the same time ({@link org.tokenpowerbench.client.StreamingClient#takeReaderLag}).
     */
    public Reading stop(LatencyHistogram readerLag) {
        running = false;
        if (thread != null) {
            LockSupport.unpark(thread);
            try {
                thread.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        long wall = clock.nanoTime() - startNanos;
        long cpu = cpuNanos();
        double share = cpu < 0 || startCpuNanos < 0 || wall <= 0 ? Double.NaN
                : (double) (cpu - startCpuNanos) / wall / Runtime.getRuntime().availableProcessors();
        synchronized (lag) {
            return new Reading(Distribution.of(lag), share, Distribution.of(readerLag));
        }
    }

    private static long cpuNanos() {
        return OS == null ? -1 : OS.getProcessCpuTime();
    }

    @Override
    public void close() {
        stop();
    }
}
