package org.tokenpowerbench.client;

import java.time.Duration;
import org.tokenpowerbench.UserError;

/**
 * How long and how large one streamed request may be before the client gives up on it.
 *
 * <p>Why two clocks: a request that streams for a long time is normal (thousands of tokens at a
 * slow rate), a stream that sends nothing is not. The stall timeout is what tells a server that
 * stopped answering (a hung process, a paused container, a dead network path) from a slow one,
 * and it is much shorter than the request timeout, and shorter than JMH's iteration timeout (10
 * minutes unless {@code -to} says otherwise), so that the wave itself ends and records its
 * requests before JMH gives up on the iteration.
 *
 * <p>System properties ({@link #fromSystemProperties()}): {@value #REQUEST_TIMEOUT} (default 600),
 * {@value #STALL} (default 120; 0 turns stall detection off), {@value #MAX_LINE_BYTES} (default
 * {@link SseParser#DEFAULT_MAX_LINE_BYTES}). Seconds may be fractional.
 *
 * @param requestTimeout the longest one request may take, from call to end of stream
 * @param stallTimeout   the longest a request may go without receiving a complete event (waiting for
 *                       its answer's headers included; bytes that never finish an event do not
 *                       count); {@link Duration#ZERO} for no stall detection
 * @param maxLineBytes   the longest line (and event) the SSE parser accepts
 */
public record StreamLimits(Duration requestTimeout, Duration stallTimeout, int maxLineBytes) {

    public static final String REQUEST_TIMEOUT = "tpb.requestTimeoutSeconds";
    public static final String STALL = "tpb.stallSeconds";
    public static final String MAX_LINE_BYTES = "tpb.maxSseLineBytes";

    /** A stream silent this long is stalled, unless {@value #STALL} says otherwise. */
    public static final double DEFAULT_STALL_SECONDS = 120;

    public StreamLimits {
        if (requestTimeout.isNegative() || stallTimeout.isNegative()) {
            throw new IllegalArgumentException("negative timeouts " + requestTimeout + ", " + stallTimeout);
        }
    }

    /** Only a request timeout: no stall detection, the parser's default line limit. */
    public static StreamLimits of(Duration requestTimeout) {
        return new StreamLimits(requestTimeout, Duration.ZERO, SseParser.DEFAULT_MAX_LINE_BYTES);
    }

    /** The limits the system properties set, each checked: a bad value is one line naming it. */
    public static StreamLimits fromSystemProperties() {
        double request = seconds(REQUEST_TIMEOUT, 600, "the longest one request may take");
        double stall = seconds(STALL, DEFAULT_STALL_SECONDS,
                "how long a stream may send nothing before it counts as stalled (0: never)");
        String lineValue = System.getProperty(MAX_LINE_BYTES);
        int line = SseParser.DEFAULT_MAX_LINE_BYTES;
        if (lineValue != null) {
            try {
                line = Integer.parseInt(lineValue.trim());
            } catch (NumberFormatException e) {
                line = -1;
            }
            if (line < 1024) {
                throw new UserError(MAX_LINE_BYTES + "=" + lineValue + " is not a number of bytes of at least 1024:"
                        + " give the longest stream line to accept, e.g. -D" + MAX_LINE_BYTES + "=" + SseParser.DEFAULT_MAX_LINE_BYTES);
            }
        }
        return new StreamLimits(nanos(request), nanos(stall), line);
    }

    private static double seconds(String property, double fallback, String meaning) {
        String value = System.getProperty(property);
        if (value == null) {
            return fallback;
        }
        double seconds;
        try {
            seconds = Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            seconds = Double.NaN;
        }
        if (!(seconds >= 0) || seconds > 86_400) {
            throw new UserError(property + "=" + value + " is not a number of seconds from 0 to 86400: give " + meaning
                    + ", e.g. -jvmArgsAppend -D" + property + "=" + (long) fallback);
        }
        return seconds;
    }

    private static Duration nanos(double seconds) {
        return Duration.ofNanos(Math.round(seconds * 1e9));
    }
}
