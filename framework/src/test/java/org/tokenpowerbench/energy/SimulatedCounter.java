package org.tokenpowerbench.energy;

import static org.tokenpowerbench.energy.Fixtures.MS;
import static org.tokenpowerbench.energy.Fixtures.S;
import static org.tokenpowerbench.energy.Fixtures.T0;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.LongPredicate;
import org.tokenpowerbench.power.PowerTrace;

/**
 * A GPU whose truth is known: piecewise-constant power with steps at chosen instants, an energy
 * counter that takes the exact integral (in whole millijoules) at its own update moments (period,
 * phase, drift, jitter), and a sampler that reads the power every 10 ms and the counter on the
 * NVML sensor's bracket schedule (a reference read about 20 ms before the expected update, then
 * every sample until the value changes, once a second) or at every read.
 */
final class SimulatedCounter {

    static final long SAMPLE = 10 * MS;

    final long[] stepAt;     // power steps: watts[k] from stepAt[k] on
    final double[] watts;
    final long[] updates;    // the counter's update moments
    final double[] counted;  // its value from each update on, joules

    /**
     * @param periodStart period at the start, ns; it drifts linearly to {@code periodEnd}
     * @param jitter      uniform ± jitter of each update moment, ns
     * @param fresh       true: the counter is exact at every read (no update moments)
     */
    SimulatedCounter(long[] stepAt, double[] watts, long span, double phase, double periodStart, double periodEnd,
                     long jitter, Random rnd) {
        this.stepAt = stepAt;
        this.watts = watts;
        List<Long> u = new ArrayList<>();
        double x = T0 - phase;
        while (x < T0 + span + S) {
            double f = (x - T0) / span;
            double p = periodStart + (periodEnd - periodStart) * Math.max(0, Math.min(1, f));
            long j = jitter == 0 ? 0 : (long) ((rnd.nextDouble() * 2 - 1) * jitter);
            u.add((long) x + j);
            x += p;
        }
        updates = u.stream().mapToLong(Long::longValue).toArray();
        counted = new double[updates.length];
        for (int k = 0; k < updates.length; k++) {
            counted[k] = Math.floor(energy(updates[k]) * 1000) / 1000;
        }
    }

    /** Exact joules from T0 − 1 s to {@code t}. */
    double energy(long t) {
        double e = 0;
        long from = T0 - S;
        for (int k = 0; k < stepAt.length; k++) {
            long a = Math.max(from, stepAt[k]);
            long b = Math.min(t, k + 1 < stepAt.length ? stepAt[k + 1] : Long.MAX_VALUE);
            if (b > a) {
                e += watts[k] * (b - a) * 1e-9;
            }
        }
        return e;
    }

    double energy(long a, long b) {
        return energy(b) - energy(a);
    }

    /** Whether a power step lies within {@code reach} of {@code t}. */
    boolean stepNear(long t, long reach) {
        for (long x : stepAt) {
            if (Math.abs(x - t) <= reach) {
                return true;
            }
        }
        return false;
    }

    double power(long t) {
        int k = Arrays.binarySearch(stepAt, t);
        k = k >= 0 ? k : -k - 2;
        return watts[Math.max(0, k)];
    }

    /** The counter as a read at {@code t} shows it. */
    double read(long t) {
        int k = Arrays.binarySearch(updates, t);
        k = k >= 0 ? k : -k - 2;
        return counted[Math.max(0, k)];
    }

    /**
     * Samples [T0, T0 + span] every 10 ms; the counter on the bracket schedule, or on every sample
     * with {@code fresh} (then exact at the read). {@code missed} drops counter reads (a failed read).
     */
    PowerTrace trace(long span, boolean fresh, boolean bracket, LongPredicate missed) {
        int n = (int) (span / SAMPLE) + 1;
        long[] t = new long[n];
        double[] c = new double[n];
        double[] p = new double[n];
        long due = T0;
        boolean inBracket = false;
        double reference = 0;
        int bracketReads = 0;
        for (int i = 0; i < n; i++) {
            t[i] = T0 + i * SAMPLE;
            c[i] = Double.NaN;
            boolean lost = i > 0 && i < n - 1 && missed.test(t[i]);
            p[i] = power(t[i]);
            if (lost) {
                continue;
            }
            boolean boundary = i == 0 || i == n - 1;
            if (fresh) {
                c[i] = Math.floor(energy(t[i]) * 1000) / 1000;
                continue;
            }
            if (boundary) {
                c[i] = read(t[i]);
            }
            if (!bracket) {
                if (t[i] >= due) {
                    c[i] = read(t[i]);
                    due += S;
                }
                continue;
            }
            if (inBracket) {
                c[i] = read(t[i]);
                bracketReads++;
                if (c[i] != reference) {
                    inBracket = false;
                    due = t[i] + S - 20 * MS;
                } else if (bracketReads > 15) {
                    inBracket = false;
                    due = t[i] + S;
                }
            } else if (t[i] >= due) {
                c[i] = read(t[i]);
                reference = c[i];
                inBracket = true;
                bracketReads = 0;
            }
        }
        return new PowerTrace(List.of(Fixtures.counter("gpu0.counter", "gpu"), Fixtures.power("gpu0.power", "gpu")),
                t, new double[][] {c, p});
    }

    /** Power steps at random instants (not on a sample), levels between 100 and 700 W. */
    static SimulatedCounter busy(Random rnd, long span, double phase, double periodStart, double periodEnd,
                                 long jitter) {
        List<Long> at = new ArrayList<>();
        List<Double> w = new ArrayList<>();
        at.add(T0 - 2 * S);
        w.add(120.0);
        long x = T0 + 300 * MS;
        while (x < T0 + span) {
            at.add(x + 1 + rnd.nextInt(9_000_000));
            w.add(100 + rnd.nextDouble() * 600);
            x += 150 * MS + (long) (rnd.nextDouble() * 1500 * MS);
        }
        return new SimulatedCounter(at.stream().mapToLong(Long::longValue).toArray(),
                w.stream().mapToDouble(Double::doubleValue).toArray(), span, phase, periodStart, periodEnd, jitter, rnd);
    }
}
