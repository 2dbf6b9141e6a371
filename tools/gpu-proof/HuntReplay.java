import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.tokenpowerbench.energy.CounterUpdates;

/**
 * How well {@link CounterUpdates} places a counter's updates from reads like the NVML sensor's
 * dense bracket hunts, checked against a dense counter log of a real GPU (what
 * {@code counter_log.py} writes: a read about every 4.4 ms, so every update lies between two reads
 * about a millisecond apart).
 *
 * <p>The log is cut into traces of {@code SECONDS} (default 5). In each, the sensor's reads are
 * emulated on a 10 ms tick: a read at the start, a hunt every 300 ms that begins 25 ms before the
 * step the last one found and reads every tick until the value changes, a read at the end; each
 * emulated read is the log's latest read at or before the tick. {@link CounterUpdates#learn} learns
 * the update moments from those reads alone. Every learned moment is then compared with the log's
 * own bracket around the same update (the same millijoule value): how far outside it the moment
 * lies (0 inside). Each trace prints its stated σ beside its worst moment, and how many moments lie
 * more than 2 σ outside.
 *
 * <p>Usage, on the framework's classes (benchmarks.jar holds them):
 * {@code java -cp benchmarks/target/benchmarks.jar tools/gpu-proof/HuntReplay.java CLOG.csv [SECONDS]}
 */
public final class HuntReplay {

    private static final long MS = 1_000_000L;

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: HuntReplay CLOG.csv [SECONDS]");
            System.exit(2);
        }
        List<String> lines = Files.readAllLines(Path.of(args[0]));
        long traceNanos = Math.round((args.length > 1 ? Double.parseDouble(args[1]) : 5) * 1e9);
        int n = lines.size() - 1;
        long[] t = new long[n];
        long[] mj = new long[n];
        for (int i = 0; i < n; i++) {
            String[] c = lines.get(i + 1).split(",");
            t[i] = Long.parseLong(c[1]); // t_after_ns: when the read returned, as the driver takes its value then
            mj[i] = Long.parseLong(c[2]);
        }
        // the log's own brackets: each new value lies between the return of the last read of the old one and its own
        List<long[]> updates = new ArrayList<>();
        for (int i = 1; i < n; i++) {
            if (mj[i] != mj[i - 1]) {
                updates.add(new long[] {t[i - 1], t[i], mj[i]});
            }
        }
        int traces = 0;
        int comparedAll = 0;
        int beyondAll = 0;
        double worstAll = 0;
        double worstRatio = 0;
        for (long from = t[0]; from + traceNanos < t[n - 1]; from += traceNanos) {
            List<Long> readAt = new ArrayList<>();
            List<Double> joules = new ArrayList<>();
            int i = latest(t, from);
            readAt.add(t[i]);
            joules.add(mj[i] / 1000.0);
            long nextHunt = from + 50 * MS;
            boolean hunting = false;
            long reference = 0;
            for (long tick = from + 10 * MS; tick < from + traceNanos; tick += 10 * MS) {
                int j = latest(t, tick);
                if (!hunting && tick < nextHunt) {
                    continue;
                }
                if (t[j] != readAt.get(readAt.size() - 1)) {
                    readAt.add(t[j]);
                    joules.add(mj[j] / 1000.0);
                }
                if (!hunting) {
                    hunting = true;
                    reference = mj[j];
                } else if (mj[j] != reference) {
                    hunting = false;
                    nextHunt = t[j] + 300 * MS - 25 * MS;
                }
            }
            int e = latest(t, from + traceNanos);
            if (t[e] != readAt.get(readAt.size() - 1)) {
                readAt.add(t[e]);
                joules.add(mj[e] / 1000.0);
            }
            CounterUpdates u = CounterUpdates.learn(readAt.stream().mapToLong(Long::longValue).toArray(),
                    joules.stream().mapToDouble(Double::doubleValue).toArray(), 100 * MS);
            traces++;
            if (!u.atUpdateMoments()) {
                System.out.printf(Locale.ROOT, "trace %2d: not learned: %s%n", traces, u.describe());
                continue;
            }
            long[] moments = u.times();
            double[] values = u.values();
            double worst = 0;
            int compared = 0;
            int beyond = 0;
            double sigma = u.uncertaintyNanos() / 1e6;
            for (int k = 1; k < moments.length; k++) { // point 0 is the trace's first read, not an update
                long value = Math.round(values[k] * 1000);
                for (long[] up : updates) {
                    if (up[2] == value) {
                        // how far outside the log's bracket: the update lay somewhere in (up[0], up[1]]
                        long outside = Math.max(0, Math.max(up[0] - moments[k], moments[k] - up[1]));
                        worst = Math.max(worst, outside / 1e6);
                        beyond += outside / 1e6 > 2 * sigma ? 1 : 0;
                        compared++;
                        break;
                    }
                }
            }
            System.out.printf(Locale.ROOT, "trace %2d: %d reads, %d moments compared, stated σ %.2f ms, worst moment %.2f ms"
                    + " outside the log's bracket (%.1f σ), %d beyond 2 σ%n", traces, readAt.size(), compared, sigma, worst,
                    worst / sigma, beyond);
            comparedAll += compared;
            beyondAll += beyond;
            worstAll = Math.max(worstAll, worst);
            worstRatio = Math.max(worstRatio, worst / sigma);
        }
        System.out.printf(Locale.ROOT, "%d traces of %.0f s; %d moments compared, %d more than 2 σ outside the log's bracket;"
                + " worst %.2f ms (%.1f σ)%n", traces, traceNanos / 1e9, comparedAll, beyondAll, worstAll, worstRatio);
    }

    /** Index of the log's latest read that returned at or before {@code x} (the first read if none). */
    private static int latest(long[] t, long x) {
        int i = Arrays.binarySearch(t, x);
        if (i < 0) {
            i = -i - 2;
        }
        return Math.max(0, i);
    }
}
