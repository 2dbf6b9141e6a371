package org.tokenpowerbench.sweep;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps JMH's iteration lines in one piece. JMH prints {@code Iteration   1: } when an iteration
 * starts and its result when it ends, on one line; whatever a fork prints in between (our warnings
 * at a wave's end, the engine's start-up lines in the first warm-up, a stall in the wave) reaches
 * this JVM through JMH's link as writes to {@code System.out} and {@code System.err}, and used to
 * cut that line in two (a CI host's steal warning did: {@code Iteration   1: tokenpowerbench: the
 * hypervisor gave ...}, its figure alone on the next line). While a line is open, such output is
 * held and printed after the result line.
 *
 * <p>Output held for {@link #HOLD_MILLIS} (a wave still running, which the user should hear of now)
 * is printed then, on a line of its own, and the caller prints the prefix again before the result
 * ({@link #closeLine} says so). A write that begins with a carriage return rewrites the line in
 * place (the live progress line on a terminal, {@code jmh.WaveProgress}) and passes at once; at
 * the result such a line is wiped before the prefix is printed again.
 *
 * <p>Lock order: this object, then the output format's; never the reverse.
 */
final class IterationLineHold implements AutoCloseable {

    /** How long output may wait for its iteration's result line: a few seconds, so a stall is still heard of live. */
    static final long HOLD_MILLIS = 3_000;

    /** Wipes a line rewritten in place: back to its start, then clear to its end. */
    static final String WIPE = "\r\033[K";

    private record Chunk(PrintStream to, byte[] bytes) {
    }

    private final PrintStream out;
    private final PrintStream err;
    private final Runnable breakLine;
    private final long holdMillis;
    private final List<Chunk> held = new ArrayList<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "tpb-iteration-line");
        t.setDaemon(true);
        return t;
    });
    /** JMH printed a prefix and no result yet. */
    private boolean open;
    /** Something reached the console since the prefix: the result needs the prefix again. */
    private boolean dirty;
    /** The console's cursor is not at a line's start (the prefix, a rewritten line, output without a line end). */
    private boolean midLine;
    /** What was last printed rewrote the line in place: the stream it went to, else null. */
    private PrintStream rewrittenOn;
    private boolean closed;
    private long heldBatch;
    private PrintStream installedOut;
    private PrintStream installedErr;

    /**
     * @param out        where held standard output goes in the end (the console's)
     * @param err        where held error output goes in the end
     * @param breakLine  ends the open iteration line (prints a line break where the prefix went)
     * @param holdMillis how long output is held before it is printed on a line of its own
     */
    IterationLineHold(PrintStream out, PrintStream err, Runnable breakLine, long holdMillis) {
        this.out = out;
        this.err = err;
        this.breakLine = breakLine;
        this.holdMillis = holdMillis;
    }

    /** Routes {@code System.out} and {@code System.err} through this hold until {@link #close}. */
    synchronized void install() {
        installedOut = stream(out);
        installedErr = stream(err);
        System.setOut(installedOut);
        System.setErr(installedErr);
    }

    /** A stream that is held while a line is open and passes through otherwise. */
    PrintStream stream(PrintStream to) {
        return new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                accept(to, Arrays.copyOfRange(b, off, off + len));
            }

            @Override
            public void flush() {
                to.flush();
            }
        }, true, StandardCharsets.UTF_8);
    }

    private synchronized void accept(PrintStream to, byte[] bytes) {
        if (bytes.length == 0) {
            return;
        }
        if (!open) {
            write(to, bytes);
        } else if (bytes[0] == '\r') {
            write(to, bytes); // the line rewritten in place: it does not cut it
            dirty = true;
            midLine = bytes[bytes.length - 1] != '\n';
            rewrittenOn = midLine ? to : null;
        } else {
            held.add(new Chunk(to, bytes));
            if (held.size() == 1) {
                long batch = ++heldBatch;
                timer.schedule(() -> printHeld(batch), holdMillis, TimeUnit.MILLISECONDS);
            }
        }
    }

    private static void write(PrintStream to, byte[] bytes) {
        to.write(bytes, 0, bytes.length);
        to.flush();
    }

    /** JMH has just printed an iteration's prefix: output from now on waits for its result. */
    synchronized void openLine() {
        if (closed) {
            return;
        }
        open = true;
        dirty = false;
        midLine = true;
        rewrittenOn = null;
    }

    /**
     * The iteration's line ends now. True when something reached the console since its prefix, so
     * that the caller prints the prefix again for the result: a line rewritten in place is wiped
     * first, output without a line end ended.
     */
    synchronized boolean closeLine() {
        boolean again = open && dirty;
        if (again && midLine) {
            if (rewrittenOn != null) {
                rewrittenOn.print(WIPE);
                rewrittenOn.flush();
            } else {
                breakLine.run();
            }
        }
        open = false;
        dirty = false;
        rewrittenOn = null;
        return again;
    }

    /** Prints what was held, in the order it came: after the result line, or when the run ends. */
    synchronized void release() {
        for (Chunk c : held) {
            c.to().write(c.bytes(), 0, c.bytes().length);
        }
        if (!held.isEmpty()) {
            out.flush();
            err.flush();
        }
        held.clear();
    }

    /** What the timer does {@link #HOLD_MILLIS} after output was first held: for tests, at once. */
    synchronized void holdExpired() {
        printHeld(heldBatch);
    }

    /** A hold that was never installed and holds nothing: {@link SweepOutputFormat}'s outside a trial's run. */
    static IterationLineHold passingThrough() {
        IterationLineHold h = new IterationLineHold(System.out, System.err, () -> { }, HOLD_MILLIS);
        h.close();
        return h;
    }

    /** Output held too long while the line is still open: printed now, on a line of its own. */
    private synchronized void printHeld(long batch) {
        if (!open || batch != heldBatch || held.isEmpty()) {
            return;
        }
        if (midLine) {
            if (rewrittenOn != null) {
                rewrittenOn.print("\n"); // the progress line stays above, the next rewrite starts below
                rewrittenOn.flush();
            } else {
                breakLine.run();
            }
        }
        Chunk last = held.get(held.size() - 1);
        release();
        dirty = true;
        midLine = last.bytes()[last.bytes().length - 1] != '\n';
        rewrittenOn = null;
    }

    /** Prints anything still held and gives {@code System.out} and {@code System.err} back. */
    @Override
    public synchronized void close() {
        if (open && !held.isEmpty() && midLine) {
            breakLine.run(); // no result came for the open line: what was held starts a line of its own
        }
        open = false;
        closed = true;
        release();
        timer.shutdownNow();
        if (installedOut != null && System.out == installedOut) {
            System.setOut(out);
        }
        if (installedErr != null && System.err == installedErr) {
            System.setErr(err);
        }
        installedOut = null;
        installedErr = null;
    }
}
