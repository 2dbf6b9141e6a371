package org.tokenpowerbench.jmh;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.function.LongSupplier;

/**
 * One wave's live progress on the console: on a terminal one line rewritten in place at most four
 * times a second, otherwise a plain line every {@code tpb.progressSeconds}. The fork prints it (its
 * output reaches the host's console through JMH, which shows a fork's lines as they are and parses
 * none of them); a line starts with {@link ProgressLine#PREFIX}.
 *
 * <p>JMH has already printed the iteration's label ({@code Iteration   1: }) without a line end when
 * the wave starts, so a terminal line overwrites it, and {@link #finish()} wipes the line and
 * writes the label again for JMH's result to follow. A plain line, like every other line a fork
 * prints during a wave, is held by the sweep's host until the result line or for a few seconds
 * ({@code sweep.IterationLineHold}), and then printed on a line of its own.
 *
 * <p>{@link #tick()} decides, from the clock it is given, whether a line is due; a thread calls it
 * while the wave runs ({@link #start}), and tests call it with a clock of their own.
 */
final class WaveProgress {

    /**
     * Iterations of the kind under way, told by {@link RequestMetricsProfiler} from JMH's
     * {@code IterationParams} before each iteration (the session sees only the kind); 0 unknown.
     */
    private static volatile int announcedIterations;

    static void announceIterations(int count) {
        announcedIterations = count;
    }

    static int announcedIterations() {
        return announcedIterations;
    }

    /** How often the watching thread looks at the clock. */
    private static final long POLL_MILLIS = 50;

    /** What the wave's counters are now. */
    interface Counts {
        long requests();

        long outputTokens();
    }

    private final ProgressSettings settings;
    private final LongSupplier nanoClock;
    private final LongSupplier wallMillis;
    private final PrintStream out;
    private final String kind;
    private final int iteration;
    private final int iterations;
    private final long total;
    private final long waveNanos;
    private final Counts counts;
    private final Supplier<List<PowerNow.ScopePower>> power;
    private final long startNanos;
    private final long startRequests;
    private final long startTokens;
    private long lastPrinted;
    private boolean printed;

    /**
     * @param total     requests the wave sends; -1 for a timed wave
     * @param waveNanos a timed wave's length, else 0
     * @param power     the sensors' power now, read only when a line is printed ({@link PowerNow#read})
     */
    WaveProgress(ProgressSettings settings, LongSupplier nanoClock, LongSupplier wallMillis, PrintStream out, String kind,
                 int iteration, int iterations, long total, long waveNanos, Counts counts,
                 Supplier<List<PowerNow.ScopePower>> power) {
        this.settings = settings;
        this.nanoClock = nanoClock;
        this.wallMillis = wallMillis;
        this.out = out;
        this.kind = kind;
        this.iteration = iteration;
        this.iterations = iterations;
        this.total = total;
        this.waveNanos = waveNanos;
        this.counts = counts;
        this.power = power;
        this.startNanos = nanoClock.getAsLong();
        this.startRequests = counts.requests();
        this.startTokens = counts.outputTokens();
        this.lastPrinted = startNanos;
    }

    /** Prints a line when one is due: the first an interval after the wave started, then one an interval after the last. */
    synchronized void tick() {
        if (!settings.on()) {
            return;
        }
        long now = nanoClock.getAsLong();
        if (now - lastPrinted < settings.intervalNanos()) {
            return;
        }
        lastPrinted = now;
        String text = line(now).text();
        if (settings.terminal()) {
            out.print("\r" + text + "\033[K");
        } else {
            out.println(text);
        }
        out.flush();
        printed = true;
    }

    ProgressLine line(long now) {
        long eta = settings.etaAtMillis() <= 0 ? -1 : Math.max(0, (settings.etaAtMillis() - wallMillis.getAsLong()) / 1000);
        return new ProgressLine(settings.trial(), settings.trials(), kind, iteration, iterations,
                counts.requests() - startRequests, total, now - startNanos, waveNanos,
                counts.outputTokens() - startTokens, eta, power.get());
    }

    /** On a terminal, wipes the progress line and writes JMH's iteration label back, so that its result follows it. */
    synchronized void finish() {
        if (settings.terminal() && printed) {
            out.print("\r\033[K" + jmhLabel(kind, iteration));
            out.flush();
        }
    }

    /** The label JMH's text output prints before an iteration's result (its {@code TextReportFormat}). */
    static String jmhLabel(String kind, int iteration) {
        return kind.equals("warmup") ? String.format(Locale.ROOT, "# Warmup Iteration %3d: ", iteration)
                : String.format(Locale.ROOT, "Iteration %3d: ", iteration);
    }

    /** Starts a daemon thread that ticks until the returned handle is closed, which also {@link #finish()}es. */
    Running start() {
        if (!settings.on()) {
            return () -> { };
        }
        Thread watcher = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(POLL_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
                tick();
            }
        }, "tpb-progress");
        watcher.setDaemon(true);
        watcher.start();
        return () -> {
            watcher.interrupt();
            try {
                watcher.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            finish();
        };
    }

    /** A started watcher. */
    interface Running extends AutoCloseable {
        @Override
        void close();
    }
}
