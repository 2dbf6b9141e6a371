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
 * at a wave's end, a retry or a stall in the wave) reaches this JVM through JMH's link as writes to
 * {@code System.out} and {@code System.err}, and used to cut that line in two (a CI host's steal
 * warning did: {@code Iteration   1: tokenpowerbench: the hypervisor gave ...}, its figure on the
 * next line). While a line is open, such output is held and printed after the result line. Output
 * held for {@link #holdMillis} (a wave still running, which the user should hear of now) breaks the
 * line instead: the held output follows at once, and the caller prints the prefix again before the
 * result ({@link #closeLine} says so).
 *
 * <p>Lock order: this object, then the output format's; never the reverse.
 */
final class IterationLineHold implements AutoCloseable {

    /** How long output may wait for its iteration's result line: a few seconds, so a stall is still heard of live. */
    static final long HOLD_MILLIS = 3_000;

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
    private boolean open;
    private boolean broken;
    private boolean closed;
    private long line;
    private PrintStream installedOut;
    private PrintStream installedErr;

    /**
     * @param out        where held standard output goes in the end (the console's)
     * @param err        where held error output goes in the end
     * @param breakLine  ends the open iteration line (prints a line break where the prefix went)
     * @param holdMillis how long output is held before it breaks the line instead
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
        if (open && !broken) {
            held.add(new Chunk(to, bytes));
            if (held.size() == 1) {
                long thisLine = line;
                timer.schedule(() -> breakIfStillHeld(thisLine), holdMillis, TimeUnit.MILLISECONDS);
            }
        } else {
            to.write(bytes, 0, bytes.length);
            to.flush();
        }
    }

    /** JMH has just printed an iteration's prefix: output from now on waits for its result. */
    synchronized void openLine() {
        if (closed) {
            return;
        }
        open = true;
        broken = false;
        line++;
    }

    /**
     * The iteration's line ends now. True when held output had to break it, so that the caller
     * prints the prefix again before the result.
     */
    synchronized boolean closeLine() {
        boolean wasBroken = open && broken;
        open = false;
        broken = false;
        return wasBroken;
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

    private synchronized void breakIfStillHeld(long thisLine) {
        if (open && !broken && line == thisLine && !held.isEmpty()) {
            broken = true;
            breakLine.run();
            release();
        }
    }

    /** Prints anything still held and gives {@code System.out} and {@code System.err} back. */
    @Override
    public synchronized void close() {
        if (open && !broken && !held.isEmpty()) {
            breakLine.run(); // no result came for the open line: what was held starts a line of its own
        }
        closeLine();
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
