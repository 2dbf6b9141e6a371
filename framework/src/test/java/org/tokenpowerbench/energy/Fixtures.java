package org.tokenpowerbench.energy;

import org.tokenpowerbench.stats.LatencyHistogram;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.tokenpowerbench.client.RequestTimeline;
import org.tokenpowerbench.client.TokenCountSource;
import org.tokenpowerbench.client.TokenKinds;
import org.tokenpowerbench.power.Method;
import org.tokenpowerbench.power.PowerChannel;
import org.tokenpowerbench.power.PowerTrace;
import org.tokenpowerbench.power.Scope;

/** Builders for traces and timelines shared by the energy tests. */
final class Fixtures {

    /** An arbitrary nanoTime origin, far from zero like a real one. */
    static final long T0 = 987_654_321_000L;
    static final long MS = 1_000_000L;
    static final long S = 1_000_000_000L;
    static final double NAN = Double.NaN;

    private Fixtures() {
    }

    static PowerChannel counter(String name, String device) {
        return new PowerChannel(name, device, Scope.GPU, Method.COUNTER, PowerChannel.Kind.ENERGY_JOULES);
    }

    static PowerChannel power(String name, String device) {
        return new PowerChannel(name, device, Scope.GPU, Method.SAMPLED, PowerChannel.Kind.POWER_WATTS);
    }

    static long[] times(long step, int n) {
        long[] t = new long[n];
        for (int i = 0; i < n; i++) {
            t[i] = T0 + i * step;
        }
        return t;
    }

    /** A counter-only trace whose power is {@code watts[k]} over {@code [t[k], t[k+1]]}. */
    static PowerTrace piecewiseConstantCounter(long[] t, double[] watts) {
        double[] c = new double[t.length];
        for (int k = 1; k < t.length; k++) {
            c[k] = c[k - 1] + watts[k - 1] * (t[k] - t[k - 1]) * 1e-9;
        }
        return new PowerTrace(List.of(counter("dev.counter", "dev")), t, new double[][] {c});
    }

    /** A power trace with steps: two samples at each inner boundary, holding {@code watts[k]} over interval k. */
    static PowerTrace piecewiseConstantPower(long[] t, double[] watts) {
        int n = t.length;
        long[] ts = new long[2 * (n - 1)];
        double[] p = new double[2 * (n - 1)];
        for (int k = 0; k + 1 < n; k++) {
            ts[2 * k] = t[k];
            p[2 * k] = watts[k];
            ts[2 * k + 1] = t[k + 1];
            p[2 * k + 1] = watts[k];
        }
        return new PowerTrace(List.of(power("dev.power", "dev")), ts, new double[][] {p});
    }

    /** Exact integral of a piecewise-constant power between {@code a} and {@code b}. */
    static double integral(long[] t, double[] watts, long a, long b) {
        double j = 0;
        for (int k = 0; k + 1 < t.length; k++) {
            long x = Math.max(a, t[k]);
            long y = Math.min(b, t[k + 1]);
            if (y > x) {
                j += watts[k] * (y - x) * 1e-9;
            }
        }
        return j;
    }

    static RequestTimeline request(int index, long sent, long first, long last, int prompt, int output) {
        return timeline(index, sent, sent, first, last, last, prompt, output, null);
    }

    static RequestTimeline timeline(int index, long queued, long sent, long first, long last, long done, int prompt,
                                    int output, String error) {
        return new RequestTimeline(index, index, queued, sent, first, last, done, prompt, output, Math.max(output, 0),
                TokenCountSource.SERVER_USAGE, first >= 0 ? Math.max(output, 1) : 0, new LatencyHistogram(), error,
                error == null ? null : "test");
    }

    /**
     * A request that streamed {@code reasoning} reasoning tokens, then its answer from
     * {@code firstAnswer} (-1: no answer came), with {@code cached} of its prompt tokens served by a
     * prefix cache (-1: the server did not say); reasoning counted by the server's usage.
     */
    static RequestTimeline reasoning(int index, long sent, long first, long firstAnswer, long last, int prompt,
                                     int cached, int output, int reasoning) {
        return new RequestTimeline(index, index, sent, sent, first, last, last, prompt, output, output,
                TokenCountSource.SERVER_USAGE, output, new LatencyHistogram(), null, null, firstAnswer, null, cached,
                0, -1, new TokenKinds(reasoning, TokenCountSource.SERVER_USAGE, -1, -1));
    }

    /**
     * A random trace of 1-3 devices, each counter-only, power-only or fused (a sparse counter plus
     * dense power), with irregular spacing, repeated timestamps, NaNs and long gaps.
     */
    static PowerTrace randomTrace(Random rnd) {
        int n = 2 + rnd.nextInt(rnd.nextBoolean() ? 20 : 300);
        long[] t = new long[n];
        t[0] = T0 + rnd.nextInt(1000);
        for (int i = 1; i < n; i++) {
            int kind = rnd.nextInt(20);
            long step = kind == 0 ? 0 : kind == 1 ? 1 + rnd.nextInt(5) : kind == 2 ? 200 * MS + rnd.nextInt(1000) * MS
                    : 1 + (long) (rnd.nextDouble() * 30 * MS);
            t[i] = t[i - 1] + step;
        }
        t[n - 1] = Math.max(t[n - 1], t[0] + 1);
        int devices = 1 + rnd.nextInt(3);
        List<PowerChannel> channels = new ArrayList<>();
        List<double[]> rows = new ArrayList<>();
        for (int d = 0; d < devices; d++) {
            String dev = "dev" + d;
            int kind = rnd.nextInt(3);
            if (kind != 1) {
                channels.add(counter(dev + ".counter", dev));
                double[] c = new double[n];
                double sparse = kind == 2 ? 0.1 + rnd.nextDouble() * 0.5 : 0.95;
                double acc = rnd.nextDouble() * 1000;
                for (int i = 0; i < n; i++) {
                    acc += rnd.nextDouble() * (rnd.nextInt(10) == 0 ? 50 : 3);
                    c[i] = i == 0 || i == n - 1 || rnd.nextDouble() < sparse ? acc : NAN;
                }
                rows.add(c);
            }
            if (kind != 0) {
                channels.add(power(dev + ".power", dev));
                double[] p = new double[n];
                for (int i = 0; i < n; i++) {
                    double v = rnd.nextInt(15) == 0 ? 0 : rnd.nextDouble() * 700;
                    p[i] = i == 0 || i == n - 1 || rnd.nextDouble() < 0.85 ? v : NAN;
                }
                rows.add(p);
            }
        }
        return new PowerTrace(channels, t, rows.toArray(new double[0][]));
    }

    /**
     * Random requests over {@code [from, to]}: any overlap, some reaching outside, failures before
     * and after the first token, zero, one and unknown token counts, never-sent requests.
     */
    static List<RequestTimeline> randomRequests(Random rnd, long from, long to) {
        int n = rnd.nextInt(rnd.nextBoolean() ? 6 : 80);
        long span = Math.max(1, to - from);
        List<RequestTimeline> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long queued = from - span / 10 + (long) (rnd.nextDouble() * span * 1.1);
            long sent = queued + (rnd.nextBoolean() ? 0 : (long) (rnd.nextDouble() * span * 0.2));
            long first = sent + (long) (rnd.nextDouble() * span * (rnd.nextBoolean() ? 0.3 : 0.01));
            long last = first + (long) (rnd.nextDouble() * span * 0.5);
            long done = last + (long) (rnd.nextDouble() * span * 0.05);
            int prompt = rnd.nextInt(12) == 0 ? -1 : rnd.nextInt(10) == 0 ? 0 : 1 + rnd.nextInt(4000);
            int output = rnd.nextInt(12) == 0 ? -1 : rnd.nextInt(8) == 0 ? 1 : rnd.nextInt(600);
            String error = null;
            int c = rnd.nextInt(14);
            if (c == 0) {
                error = "failed before the first token";
                first = -1;
                last = -1;
                output = -1;
            } else if (c == 1) {
                error = "failed mid-stream";
            } else if (c == 2) {
                first = -1;
                last = -1;
                output = 0;
            } else if (c == 3) {
                sent = -1;
                first = -1;
                last = -1;
                done = -1;
            } else if (c == 4) {
                last = first; // one token
                output = 1;
            }
            out.add(timeline(i, queued, sent, first, last, done, prompt, output, error));
        }
        return out;
    }

    /** A random long in {@code [a, b]}. */
    static long between(Random rnd, long a, long b) {
        return a + (long) (rnd.nextDouble() * (b - a));
    }

    static double[] repeat(double v, int n) {
        double[] a = new double[n];
        Arrays.fill(a, v);
        return a;
    }
}
