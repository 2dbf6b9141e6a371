package org.tokenpowerbench.sweep;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C (SIGINT) or SIGTERM during a sweep. The JVM runs its shutdown hooks and then halts, with
 * the sweep's thread still inside JMH waiting for a fork: without this, the fork outlived the host
 * (JMH does not stop it) and the host halted before it said where its data was. The hook stops
 * every process this JVM started (the fork, and anything the fork started), keeps stopping any
 * that starts while the sweep winds down, and holds the halt until the sweep has recorded what it
 * measured and printed how to resume ({@link #sweepFinished}), for at most {@code grace}.
 */
final class Interruption implements AutoCloseable {

    private final Thread hook;
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Duration grace;
    private volatile boolean interrupted;

    private Interruption(Duration grace) {
        this.grace = grace;
        this.hook = new Thread(this::onShutdown, "tokenpowerbench-interrupt");
    }

    /** Watches for an interrupt until {@link #close}. */
    static Interruption watch(Duration grace) {
        Interruption i = new Interruption(grace);
        Runtime.getRuntime().addShutdownHook(i.hook);
        return i;
    }

    /** Whether the JVM is shutting down: the sweep starts no further trial. */
    boolean interrupted() {
        return interrupted;
    }

    /** The sweep has written its files and printed its last lines: the JVM may halt. */
    void sweepFinished() {
        finished.countDown();
    }

    private void onShutdown() {
        interrupted = true;
        long deadline = System.nanoTime() + grace.toNanos();
        try {
            do {
                stopChildren();
            } while (!finished.await(100, TimeUnit.MILLISECONDS) && System.nanoTime() < deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stopChildren();
    }

    /** Asks every descendant to end (SIGTERM, so a fork's own hooks run), and forces those still there after 5 s. */
    static void stopChildren() {
        ProcessHandle.current().descendants().forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        ProcessHandle.current().descendants().forEach(p -> {
            try {
                long left = deadline - System.nanoTime();
                p.onExit().get(Math.max(0, left), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
            }
        });
    }

    /** Stops watching (the sweep ended on its own). */
    @Override
    public void close() {
        sweepFinished();
        if (!interrupted) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM began shutting down just now: the hook runs and returns at once
            }
        }
    }
}
