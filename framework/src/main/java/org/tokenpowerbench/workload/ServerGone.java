package org.tokenpowerbench.workload;

import org.tokenpowerbench.UserError;
import org.tokenpowerbench.client.RequestTimeline;
import org.tokenpowerbench.client.StreamingClient;

/**
 * Decides, from a wave's requests as they end, when its server is plainly gone: {@code limit}
 * requests in a row that could not connect or stalled. Any other outcome (an answer, an HTTP
 * error, a cut stream) shows a server that is there and starts the count again.
 *
 * <p>Why a wave stops then: without it, a wave sends every remaining prompt to the dead server,
 * each costing a full stall or connect timeout, and the iteration outlives JMH's patience. What
 * was not sent is recorded as {@value #NOT_SENT}, so the wave keeps a row for every request.
 *
 * <p>For a deployment of several replicas the streak is counted per replica, and a replica's streak
 * ends the wave only when no other replica is still in the rotation ({@code othersUp}): one dead
 * replica among live ones is taken out by the client and measured around, not the end of the wave.
 *
 * <p>One instance per wave; thread-safe.
 */
public final class ServerGone {

    /** The system property that sets the limit; 0 never stops a wave. */
    public static final String PROPERTY = "tpb.serverGoneAfter";
    /** Three in a row: one stall can be a slow request, three are a pattern. */
    public static final int DEFAULT_LIMIT = 3;
    /** The error class of a request the wave did not send because it stopped first. */
    public static final String NOT_SENT = "not-sent";
    /** The error class of a request in flight when the wave stopped. */
    public static final String WAVE_STOPPED = "wave-stopped";
    /** The error class of a request in flight when the iteration was interrupted. */
    public static final String INTERRUPTED = "interrupted";
    /** Why an interrupted wave stopped. */
    public static final String INTERRUPTED_REASON = "the iteration was interrupted (JMH's iteration timeout, -to,"
            + " ran out): give it more time with -to, or fewer prompts";

    private final int limit;
    private final java.util.function.IntPredicate othersUp;
    private final java.util.Map<Integer, Integer> streaks = new java.util.HashMap<>();
    private String reason;

    /** @param limit requests in a row that could not connect or stalled; 0 for never */
    public ServerGone(int limit) {
        this(limit, replica -> false);
    }

    /**
     * @param limit    requests in a row (per replica) that could not connect or stalled; 0 for never
     * @param othersUp whether a replica other than the one given is still taken requests
     */
    public ServerGone(int limit, java.util.function.IntPredicate othersUp) {
        if (limit < 0) {
            throw new IllegalArgumentException("a streak of " + limit);
        }
        this.limit = limit;
        this.othersUp = othersUp;
    }

    /** The limit the system property {@value #PROPERTY} sets, or {@value #DEFAULT_LIMIT}. */
    public static int limitFromSystemProperties() {
        String value = System.getProperty(PROPERTY);
        if (value == null) {
            return DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(value.trim());
            if (limit >= 0) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new UserError(PROPERTY + "=" + value + " is not a count of 0 or more: give how many requests in a row"
                + " may fail to connect or stall before a wave stops, e.g. -jvmArgsAppend -D" + PROPERTY + "="
                + DEFAULT_LIMIT + " (0: never stop)");
    }

    /**
     * Counts one ended request. Returns the reason the wave must stop when this request makes the
     * streak reach the limit (once), else null.
     */
    /** Why the server is gone, once a record said so; null until then. */
    public synchronized String reason() {
        return reason;
    }

    public synchronized String record(RequestTimeline r) {
        if (limit == 0 || reason != null) {
            return null;
        }
        boolean gone = "connect".equals(r.errorClass()) || StreamingClient.STALLED.equals(r.errorClass());
        int streak = gone ? streaks.getOrDefault(r.replica(), 0) + 1 : 0;
        streaks.put(r.replica(), streak);
        if (streak < limit || (r.replica() >= 0 && othersUp.test(r.replica()))) {
            return null;
        }
        reason = "the server is gone: " + limit + " requests in a row " + ("connect".equals(r.errorClass())
                ? "could not connect" : "could not connect or stalled") + " (last: " + r.error() + ")";
        return reason;
    }
}
