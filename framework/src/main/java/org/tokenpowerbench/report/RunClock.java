package org.tokenpowerbench.report;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one clock of the run folder. Everything is measured on {@link System#nanoTime()}, which is
 * monotonic but has an arbitrary origin per JVM; each fork takes one anchor (its
 * {@code nanoTime} and the wall clock read together) and every time it writes is that anchor's
 * wall-clock time plus the monotonic time elapsed since: Unix epoch milliseconds, with
 * microseconds as decimals ({@code *_unix_ms}, {@code *UnixMs}). Within a fork these times keep
 * the monotonic clock's order and spacing even if the wall clock is stepped meanwhile; two forks
 * agree as well as their wall clocks did when each anchored. The anchor itself is the fork's line
 * in {@code clock.jsonl}, so a monotonic time from elsewhere (a tool's log) can be put on the
 * same clock.
 *
 * @param pid              the process that took it
 * @param anchorNanos      {@link System#nanoTime()} at the anchor (the middle of the two reads around the wall clock)
 * @param anchorUnixNanos  the wall clock at the anchor, nanoseconds since the Unix epoch
 * @param uncertaintyNanos the time between the two {@code nanoTime} reads around the wall-clock read
 */
public record RunClock(long pid, long anchorNanos, long anchorUnixNanos, long uncertaintyNanos) {

    public static final String FILE = "clock.jsonl";

    private static final RunClock FORK = take();
    /** Run folders this JVM has written its anchor to. */
    private static final Set<Path> RECORDED = ConcurrentHashMap.newKeySet();

    /** Reads both clocks now. */
    static RunClock take() {
        long before = System.nanoTime();
        Instant wall = Instant.now();
        long after = System.nanoTime();
        return new RunClock(ProcessHandle.current().pid(), before + (after - before) / 2,
                wall.getEpochSecond() * 1_000_000_000L + wall.getNano(), after - before);
    }

    /** This JVM's clock, its anchor written to {@code dir}'s {@code clock.jsonl} the first time it is asked for there. */
    public static RunClock of(RunDirectory dir) {
        if (RECORDED.add(dir.root().toAbsolutePath().normalize())) {
            ObjectNode json = dir.newObject();
            json.put("kind", "clock");
            json.put("pid", FORK.pid);
            json.put("nanoTime", FORK.anchorNanos);
            json.put("unixNanos", FORK.anchorUnixNanos);
            json.put("unixMs", FORK.anchorUnixNanos / 1_000_000L);
            json.put("uncertaintyNanos", FORK.uncertaintyNanos);
            dir.appendJsonLine(FILE, json);
        }
        return FORK;
    }

    /**
     * A {@link System#nanoTime()} of this JVM as Unix epoch milliseconds, exact to the microsecond,
     * for JSON: a {@code double} would be written as {@code 1.7963676843290347E12}.
     */
    public BigDecimal unixMillis(long nanoTime) {
        return new BigDecimal(unixMillisText(nanoTime));
    }

    /** A {@link System#nanoTime()} of this JVM as Unix epoch milliseconds with three decimals (microseconds), for CSV. */
    public String unixMillisText(long nanoTime) {
        long unixNanos = anchorUnixNanos + (nanoTime - anchorNanos);
        long micros = Math.floorDiv(unixNanos, 1_000L);
        return String.format(Locale.ROOT, "%d.%03d", Math.floorDiv(micros, 1_000L), Math.floorMod(micros, 1_000L));
    }
}
