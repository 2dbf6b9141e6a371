package org.tokenpowerbench.workload;

import org.tokenpowerbench.UserError;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.tokenpowerbench.client.RequestTimeline;

/**
 * Service-level objectives of one request, in milliseconds; 0 means no objective. A request meets
 * them when it succeeded and its times are within every objective given, measured as the user sees
 * them: {@code queue + TTFT <= ttftMs}, {@code TPOT <= tpotMs} (a request with one output token has
 * no TPOT and passes), {@code queue + E2E <= e2eMs}. Queue time counts, so waiting for a client slot
 * is never hidden from goodput.
 */
public record Slo(double ttftMs, double tpotMs, double e2eMs) {

    /** No objective at all: goodput is not reported. */
    public static final Slo NONE = new Slo(0, 0, 0);

    public Slo {
        check("ttftMs", ttftMs);
        check("tpotMs", tpotMs);
        check("e2eMs", e2eMs);
    }

    private static void check(String name, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new UserError("@Slo(" + name + " = " + v + ") is not a time: give milliseconds >= 0"
                    + " (0 for no objective)");
        }
    }

    /** Whether any objective is given. */
    public boolean isSet() {
        return ttftMs > 0 || tpotMs > 0 || e2eMs > 0;
    }

    /** Whether {@code r} succeeded and met every objective given. */
    public boolean met(RequestTimeline r) {
        if (!r.succeeded()) {
            return false;
        }
        if (ttftMs > 0 && !(r.queueMillis() + r.ttftMillis() <= ttftMs)) {
            return false;
        }
        if (tpotMs > 0) {
            double tpot = r.tpotMillis();
            if (!Double.isNaN(tpot) && tpot > tpotMs) {
                return false;
            }
        }
        return !(e2eMs > 0) || r.queueMillis() + r.e2eMillis() <= e2eMs;
    }

    /** For results, e.g. {@code queue+ttft<=500ms tpot<=50ms}; {@code none} when nothing is set. */
    public String describe() {
        List<String> parts = new ArrayList<>();
        if (ttftMs > 0) {
            parts.add(String.format(Locale.ROOT, "queue+ttft<=%sms", trim(ttftMs)));
        }
        if (tpotMs > 0) {
            parts.add(String.format(Locale.ROOT, "tpot<=%sms", trim(tpotMs)));
        }
        if (e2eMs > 0) {
            parts.add(String.format(Locale.ROOT, "queue+e2e<=%sms", trim(e2eMs)));
        }
        return parts.isEmpty() ? "none" : String.join(" ", parts);
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
