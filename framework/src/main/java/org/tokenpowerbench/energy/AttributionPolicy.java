package org.tokenpowerbench.energy;

import org.tokenpowerbench.UserError;
import java.util.Arrays;
import java.util.Locale;

/**
 * How the power of one instant is split among the requests then in flight (in prefill or
 * decode). Every attributed figure names its policy ({@link #label()}).
 *
 * <p>Either way the split is conservative: at each instant the shares add up to the power, and an
 * instant with no request in flight goes to idle. Weights are constant over a phase, so a phase's
 * energy is its weight times the integral of power divided by the total weight in flight.
 *
 * <p>The default, {@link #DEFAULT}, is {@link #TOKEN_WEIGHTED}: on the embedded engine, its
 * per-token figures under concurrency stay closest to the regression's marginal costs and to the
 * batch-1 figures (the measurement is in {@code docs/attribution.md}). Choose another with the
 * system property {@code tpb.attribution} ({@code -jvmArgsAppend -Dtpb.attribution=equal-share}).
 */
public enum AttributionPolicy {

    /** Every request in flight gets the same share of the instant, whatever phase it is in. */
    EQUAL_SHARE("equal-share"),

    /**
     * A request's share is proportional to the tokens it is processing per unit time: in prefill,
     * its prompt tokens divided by the length of its prefill phase; in decode, the tokens its
     * decode phase generated ({@code outputTokens - 1}: the first output token comes out of the
     * prefill pass) divided by the length of its decode phase. A request whose token counts are
     * unknown weighs 0; an instant whose requests in flight all weigh 0 is split equally among them
     * (counted in {@link AttributionFlags#equalShareFallbackSegments()}).
     */
    TOKEN_WEIGHTED("token-weighted");

    /** The policy used when {@code tpb.attribution} is not set. */
    public static final AttributionPolicy DEFAULT = TOKEN_WEIGHTED;

    /** System property that chooses the policy of the JMH results. */
    public static final String PROPERTY = "tpb.attribution";

    private final String label;

    AttributionPolicy(String label) {
        this.label = label;
    }

    /** The name used in results and files: {@code equal-share} or {@code token-weighted}. */
    public String label() {
        return label;
    }

    /**
     * The policy with this label (case-insensitive; {@code _} accepted for {@code -}).
     *
     * @throws IllegalArgumentException naming the labels there are
     */
    public static AttributionPolicy parse(String text) {
        String wanted = text.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (AttributionPolicy p : values()) {
            if (p.label.equals(wanted)) {
                return p;
            }
        }
        throw new UserError("unknown attribution policy '" + text + "': use one of "
                + Arrays.stream(values()).map(AttributionPolicy::label).toList() + " (-Dtpb.attribution=...)");
    }

    /** The policy named by {@link #PROPERTY}, or {@link #DEFAULT}. */
    public static AttributionPolicy fromSystemProperty() {
        String value = System.getProperty(PROPERTY);
        return value == null || value.isBlank() ? DEFAULT : parse(value);
    }
}
