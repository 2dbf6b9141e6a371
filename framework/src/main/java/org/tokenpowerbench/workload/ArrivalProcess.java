package org.tokenpowerbench.workload;

import org.tokenpowerbench.UserError;
import java.util.Locale;
import org.apache.commons.math3.distribution.ExponentialDistribution;
import org.apache.commons.math3.distribution.GammaDistribution;
import org.apache.commons.math3.distribution.RealDistribution;
import org.apache.commons.math3.random.Well19937c;

/**
 * When the requests of an open-loop wave arrive: gaps between arrivals drawn from an exponential
 * distribution (Poisson arrivals) or a gamma distribution of shape {@code burstiness}, both with
 * mean {@code 1/rate} seconds, from a seeded generator, so that the same seed gives the same
 * schedule. Gamma with shape {@code k} has gaps with coefficient of variation {@code 1/sqrt(k)}:
 * below 1 arrivals bunch into bursts, above 1 they are more regular than Poisson.
 *
 * @param rate       requests per second, &gt; 0
 * @param kind       the distribution of gaps
 * @param burstiness the gamma shape; 1 for Poisson
 */
public record ArrivalProcess(double rate, Kind kind, double burstiness) {

    /** The distribution of the gaps between arrivals. */
    public enum Kind {
        POISSON, GAMMA;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public ArrivalProcess {
        if (!(rate > 0) || Double.isInfinite(rate)) {
            throw new UserError("rate=" + rate + " is not an arrival rate: give requests per second > 0"
                    + " (-p rate=...), or 0 for a closed loop");
        }
        if (!(burstiness > 0) || Double.isInfinite(burstiness)) {
            throw new UserError("burstiness=" + burstiness + " is not a gamma shape: give a number > 0"
                    + " (-p burstiness=...; 1 is Poisson, below 1 bursty)");
        }
        if (kind == Kind.POISSON && burstiness != 1) {
            throw new UserError("burstiness=" + burstiness + " needs arrivals=gamma: Poisson arrivals have"
                    + " burstiness 1 (-p arrivals=gamma, or -p burstiness=1)");
        }
    }

    /**
     * Parses the values of {@code @Workload}, with errors that name the value and what to do.
     *
     * @param arrivals {@code poisson} or {@code gamma}
     */
    public static ArrivalProcess of(double rate, String arrivals, double burstiness) {
        String a = arrivals == null ? "" : arrivals.trim().toLowerCase(Locale.ROOT);
        Kind kind = switch (a) {
            case "poisson" -> Kind.POISSON;
            case "gamma" -> Kind.GAMMA;
            default -> throw new UserError("arrivals=" + arrivals + " is not known: use poisson or gamma"
                    + " (-p arrivals=...)");
        };
        return new ArrivalProcess(rate, kind, burstiness);
    }

    /** Mean gap between arrivals in seconds: {@code 1/rate}. */
    public double meanGapSeconds() {
        return 1 / rate;
    }

    /** {@code n} gaps between arrivals, in seconds, drawn with {@code seed}. */
    public double[] gapsSeconds(int n, long seed) {
        RealDistribution d = kind == Kind.POISSON
                ? new ExponentialDistribution(new Well19937c(seed), meanGapSeconds(),
                        ExponentialDistribution.DEFAULT_INVERSE_ABSOLUTE_ACCURACY)
                : new GammaDistribution(new Well19937c(seed), burstiness, meanGapSeconds() / burstiness,
                        GammaDistribution.DEFAULT_INVERSE_ABSOLUTE_ACCURACY);
        double[] gaps = new double[n];
        for (int i = 0; i < n; i++) {
            gaps[i] = d.sample();
        }
        return gaps;
    }

    /**
     * Arrival times of {@code n} requests in nanoseconds after the first, which arrives at 0: the
     * cumulative sums of {@code n - 1} gaps drawn with {@code seed}.
     */
    public long[] offsetsNanos(int n, long seed) {
        long[] offsets = new long[n];
        if (n == 0) {
            return offsets;
        }
        double[] gaps = gapsSeconds(n - 1, seed);
        double t = 0;
        for (int i = 1; i < n; i++) {
            t += gaps[i - 1];
            offsets[i] = Math.round(t * 1e9);
        }
        return offsets;
    }

    /**
     * Arrival times for a wave of a given length: {@code first} arrivals (warm-up) and after them
     * every arrival due less than {@code durationNanos} after the first of those that follow, in
     * nanoseconds after the very first. The same seed gives the same times as
     * {@link #offsetsNanos}, only as many as the duration holds.
     */
    public long[] offsetsWithinNanos(int first, long durationNanos, long seed) {
        int n = first + (int) Math.min(1 << 24, Math.ceil(rate * durationNanos / 1e9 * 1.25) + 16);
        while (true) {
            long[] offsets = offsetsNanos(n, seed);
            long from = offsets[Math.min(first, n - 1)];
            if (offsets[n - 1] - from >= durationNanos) {
                int end = first;
                while (end < n && offsets[end] - from < durationNanos) {
                    end++;
                }
                return java.util.Arrays.copyOf(offsets, end);
            }
            if (n >= 1 << 25) {
                throw new UserError("a wave of " + durationNanos / 1e9 + " s at " + rate + " requests/s"
                        + " holds more than " + n + " requests: shorten waveSeconds or lower the rate");
            }
            n *= 2;
        }
    }

    /** For results: e.g. {@code poisson 4.0/s} or {@code gamma(0.5) 4.0/s}. */
    public String describe() {
        return (kind == Kind.POISSON ? "poisson" : "gamma(" + burstiness + ")") + " " + rate + "/s";
    }
}
