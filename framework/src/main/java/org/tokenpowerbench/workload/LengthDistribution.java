package org.tokenpowerbench.workload;

import org.tokenpowerbench.UserError;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * How the token lengths of a synthetic prompt set spread around their axis value ({@code
 * inputTokens}, {@code contextLength} or {@code outputTokens}), so that a sweep over the mean stays
 * a sweep while each wave carries realistic variety. Written as a JMH parameter value (no commas):
 * <ul>
 *   <li>{@code fixed}: every length is the mean (the default);</li>
 *   <li>{@code uniform:W}: integers uniform in {@code [round(mean(1-W)), round(mean(1+W))]},
 *       {@code 0 < W < 1} (so {@code uniform:0.5} with mean 128 gives 64..192);</li>
 *   <li>{@code normal:S}: normal with standard deviation {@code S·mean}, rounded, redrawn until it
 *       falls within three standard deviations of the mean and is at least 1;</li>
 *   <li>{@code normal:S:MIN:MAX}: the same, redrawn until it falls in {@code [MIN, MAX]} tokens.</li>
 * </ul>
 * Draws come from a seeded generator: the same seed gives the same lengths.
 *
 * @param kind   the shape
 * @param spread {@code W} or {@code S}; 0 for fixed
 * @param min    explicit lower bound in tokens, or 0 for the default
 * @param max    explicit upper bound in tokens, or 0 for the default
 */
public record LengthDistribution(Kind kind, double spread, int min, int max) {

    /** Every length is the mean. */
    public static final LengthDistribution FIXED = new LengthDistribution(Kind.FIXED, 0, 0, 0);

    /** The shapes. */
    public enum Kind {
        FIXED, UNIFORM, NORMAL
    }

    public LengthDistribution {
        if (kind == null) {
            throw new IllegalArgumentException("a length distribution needs a kind");
        }
    }

    /**
     * Parses a parameter value; the error names the parameter, the value and the forms accepted.
     *
     * @param parameter the parameter it came from, e.g. {@code inputLengths}
     */
    public static LengthDistribution parse(String parameter, String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        if (v.isEmpty() || v.equals("fixed")) {
            return FIXED;
        }
        String[] parts = v.split(":", -1);
        try {
            if (parts[0].equals("uniform") && parts.length == 2) {
                double w = Double.parseDouble(parts[1]);
                if (w > 0 && w < 1) {
                    return new LengthDistribution(Kind.UNIFORM, w, 0, 0);
                }
            } else if (parts[0].equals("normal") && (parts.length == 2 || parts.length == 4)) {
                double s = Double.parseDouble(parts[1]);
                int lo = parts.length == 4 ? Integer.parseInt(parts[2]) : 0;
                int hi = parts.length == 4 ? Integer.parseInt(parts[3]) : 0;
                boolean bounds = parts.length == 2 || (lo >= 1 && hi >= lo);
                if (s > 0 && Double.isFinite(s) && bounds) {
                    return new LengthDistribution(Kind.NORMAL, s, lo, hi);
                }
            }
        } catch (NumberFormatException e) {
            // falls through to the message below
        }
        throw new UserError(parameter + "=" + value + " is not a length distribution: use fixed,"
                + " uniform:W (0 < W < 1, lengths mean*(1-W)..mean*(1+W)), normal:S (sd S*mean, within 3 sd)"
                + " or normal:S:MIN:MAX (tokens, 1 <= MIN <= MAX), e.g. -p " + parameter + "=uniform:0.5");
    }

    /** The smallest length this distribution can draw around {@code mean}. */
    public int lowest(int mean) {
        return switch (kind) {
            case FIXED -> mean;
            case UNIFORM -> (int) Math.max(1, Math.round(mean * (1 - spread)));
            case NORMAL -> min > 0 ? min : (int) Math.max(1, Math.ceil(mean - 3 * spread * mean));
        };
    }

    /** The largest length this distribution can draw around {@code mean}: what an engine slot must hold. */
    public int highest(int mean) {
        return switch (kind) {
            case FIXED -> mean;
            case UNIFORM -> (int) Math.round(mean * (1 + spread));
            case NORMAL -> max > 0 ? max : (int) Math.floor(mean + 3 * spread * mean);
        };
    }

    /** {@code count} lengths around {@code mean}, drawn from {@code seed}. */
    public int[] draw(int mean, int count, long seed) {
        int[] out = new int[count];
        SplittableRandom random = new SplittableRandom(seed);
        int lo = lowest(mean);
        int hi = highest(mean);
        if (lo > hi) {
            throw new UserError("no length lies in " + lo + ".." + hi + " tokens: widen the bounds of "
                    + describe());
        }
        for (int i = 0; i < count; i++) {
            out[i] = switch (kind) {
                case FIXED -> mean;
                case UNIFORM -> lo + random.nextInt(hi - lo + 1);
                case NORMAL -> normal(mean, lo, hi, random);
            };
        }
        return out;
    }

    private int normal(int mean, int lo, int hi, SplittableRandom random) {
        double sd = spread * mean;
        for (int attempt = 0; attempt < 10_000; attempt++) {
            long x = Math.round(mean + sd * gaussian(random));
            if (x >= lo && x <= hi) {
                return (int) x;
            }
        }
        // bounds far out in a tail: the redraws did not land, so the bound nearest the mean is as close as it gets
        return mean < lo ? lo : hi;
    }

    /** A standard normal draw (Marsaglia's polar method), from this generator only. */
    private static double gaussian(SplittableRandom random) {
        double u;
        double v;
        double s;
        do {
            u = 2 * random.nextDouble() - 1;
            v = 2 * random.nextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        return u * Math.sqrt(-2 * Math.log(s) / s);
    }

    /** The parameter value this was parsed from, in canonical form. */
    public String describe() {
        return switch (kind) {
            case FIXED -> "fixed";
            case UNIFORM -> "uniform:" + number(spread);
            case NORMAL -> "normal:" + number(spread) + (min > 0 ? ":" + min + ":" + max : "");
        };
    }

    public boolean isFixed() {
        return kind == Kind.FIXED;
    }

    private static String number(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
