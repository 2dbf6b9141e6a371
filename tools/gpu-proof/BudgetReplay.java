import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.tokenpowerbench.energy.CounterGrid;
import org.tokenpowerbench.energy.CounterTiming;
import org.tokenpowerbench.energy.CounterUpdates;
import org.tokenpowerbench.energy.EnergyBudget;
import org.tokenpowerbench.energy.PowerSignal;
import org.tokenpowerbench.energy.SensorAccuracy;
import org.tokenpowerbench.power.PowerChannel;
import org.tokenpowerbench.power.PowerTrace;
import org.tokenpowerbench.power.Readings;
import org.tokenpowerbench.power.Scope;

/**
 * Replays a run folder's NVML traces (its {@code power-nvml-*.csv} files; one GPU) through the
 * framework's energy and error budget as they are now, so that a change to the budget can be
 * judged on waves already measured on a GPU, against the same independent counter log.
 *
 * <p>For each measured window it rebuilds the trace from {@code power-nvml-*.csv} (each counter
 * value and buffered power sample at its own time), gives it the grid the sensor would have held
 * (fitted to the tight brackets of that fork's traces up to this one, as the sensor fits its own)
 * and the NVML sensor's stated update scatter (2.1 ms), and prints the energy over the window with
 * the recorded one, and the 95 % budget now against the one recorded then. Compare the energies
 * with the log's (the table {@code wave_agreement.py} printed for the run).
 *
 * <p>Given the run's independent counter log ({@code counter_log.py}) too, it adds a check that
 * needs no power shape on the log's side: the log's own update moments nearest inside each
 * window's edges (each change of the logged value, placed between the two reads around it) bound
 * a span whose energy the log knows exactly, as the difference of its two values; the replayed
 * signal's energy over the same span says how well the sensor dated its counter values there. A
 * counter value dated {@code d} ms off moves {@code P·d} across such an edge, whichever reference
 * shapes the rest.
 *
 * <p>Usage, on the framework's classes (benchmarks.jar holds them):
 * {@code java -cp benchmarks/target/benchmarks.jar tools/gpu-proof/BudgetReplay.java RUN_DIR [COUNTER_LOG.csv]}
 */
public final class BudgetReplay {

    private static final long MS = 1_000_000L;
    private static final double SCATTER_NANOS = 2.1 * MS; // NvmlSensor.UPDATE_SCATTER_NANOS

    /** One trace file: its rows' times, counter joules (NaN where not read) and buffer watts, each at its own time. */
    private record Trace(String trial, String iteration, long[] t, double[] joules, long[] joulesAt, double[] watts,
                         long[] wattsAt) {
    }

    public static void main(String[] args) throws Exception {
        Path run = Path.of(args[0]);
        List<Trace> traces = new ArrayList<>();
        try (Stream<Path> files = Files.list(run)) {
            for (Path f : files.filter(p -> p.getFileName().toString().matches("power-nvml-\\d+-\\d+\\.csv"))
                    .sorted((a, b) -> order(a).compareTo(order(b))).toList()) {
                traces.add(read(f));
            }
        }
        Map<String, Map<String, Object>> rows = new LinkedHashMap<>();
        for (String line : Files.readAllLines(run.resolve("iterations.jsonl"))) {
            if (line.contains("\"kind\":\"energy\"")) {
                rows.put(field(line, "trialId") + " " + field(line, "iterationId"), Map.of("line", line));
            }
        }
        PowerChannel counter = new PowerChannel("gpu0.counter", "gpu0", Scope.GPU, org.tokenpowerbench.power.Method.COUNTER,
                PowerChannel.Kind.ENERGY_JOULES);
        PowerChannel buffer = new PowerChannel("gpu0.power-buffer", "gpu0", Scope.GPU, org.tokenpowerbench.power.Method.SAMPLED,
                PowerChannel.Kind.POWER_WATTS);
        UpdateLog log = args.length > 1 ? UpdateLog.read(Path.of(args[1]), run.resolve("clock.jsonl")) : null;
        System.out.println("| trial | iteration | s | J then | J replayed | ±95 % then | ±95 % now (counter, sampling σ) |"
                + (log == null ? "" : " log's updates inside the edges: s | log J | replayed J | replayed vs log |"));
        System.out.println("|---|---|---:|---:|---:|---:|---:|" + (log == null ? "" : "---:|---:|---:|---:|"));
        List<Double> spans = new ArrayList<>();
        List<long[]> brackets = new ArrayList<>();
        String fork = null;
        for (Trace tr : traces) {
            String key = tr.trial + " " + tr.iteration;
            if (tr.iteration.startsWith("warmup") && !tr.trial.equals(fork)) {
                brackets.clear(); // a new fork: the sensor starts with no brackets (this run had no grid memory)
                fork = tr.trial;
            }
            // the trace's own tight brackets join the sensor's ring
            long lastAt = Long.MIN_VALUE;
            double last = Double.NaN;
            for (int i = 0; i < tr.joules.length; i++) {
                if (Double.isNaN(tr.joules[i])) {
                    continue;
                }
                final long l = lastAt;
                final long h = tr.joulesAt[i];
                // a close's reads open the next wave's trace too: the sensor holds each bracket once
                if (!Double.isNaN(last) && tr.joules[i] != last && h - l <= 50 * MS
                        && brackets.stream().noneMatch(b -> b[0] == l && b[1] == h)) {
                    brackets.add(new long[] {l, h});
                }
                last = tr.joules[i];
                lastAt = tr.joulesAt[i];
            }
            Map<String, Object> row = rows.get(key);
            if (row == null || brackets.size() < 3) { // the sensor learns a grid from three
                continue;
            }
            String line = (String) row.get("line");
            long from = Math.round(Double.parseDouble(field(line, "windowFromUnixMs")) * 1e6);
            long to = Math.round(Double.parseDouble(field(line, "windowToUnixMs")) * 1e6);
            CounterGrid grid = CounterUpdates.gridFrom(brackets.stream().mapToLong(b -> b[0]).toArray(),
                    brackets.stream().mapToLong(b -> b[1]).toArray(), 100 * MS, "brackets replayed");
            heldAcross(tr, grid);
            PowerTrace trace = toTrace(tr, counter, buffer);
            PowerSignal signal = PowerSignal.of(trace, PowerSignal.defaultMaxGapNanos(Duration.ofMillis(10), Duration.ofMillis(100)),
                    new CounterTiming(true, 100 * MS).withGrids(Map.of("gpu0.counter", grid))
                            .withScatter(Map.of("gpu0.counter", SCATTER_NANOS)));
            double joules = signal.energyJoules(from, to);
            EnergyBudget budget = EnergyBudget.of(signal, from, to, joules, new SensorAccuracy(0, "replay"));
            System.out.printf(Locale.ROOT, "| %s | %s | %.2f | %.1f | %.1f | %.1f J | %.1f J (%.2f, %.2f) |",
                    field(line, "trial").replaceAll(" engine=.*", ""), tr.iteration, (to - from) / 1e9,
                    Double.parseDouble(field(line, "energyJ")), joules,
                    Double.parseDouble(field(line, "energyJHalfWidth95")), budget.halfWidthJ(), budget.counterJ(),
                    budget.samplingJ());
            int a = log == null ? -1 : log.firstUpdateAfter(from);
            int b = log == null ? -1 : log.lastUpdateBefore(to);
            if (a >= 0 && b > a && (to - from) >= 2_000 * MS) {
                double logJ = log.joules[b] - log.joules[a];
                double mine = signal.energyJoules(log.unixAt[a], log.unixAt[b]);
                double pct = 100 * (mine - logJ) / logJ;
                spans.add(pct);
                System.out.printf(Locale.ROOT, " %.2f | %.1f | %.1f | %+.3f %% |%n", (log.unixAt[b] - log.unixAt[a]) / 1e9,
                        logJ, mine, pct);
            } else {
                System.out.println(log == null ? "" : " | | | |");
            }
        }
        if (log != null && !spans.isEmpty()) {
            double worst = spans.stream().mapToDouble(Math::abs).max().orElse(0);
            long within = spans.stream().filter(x -> Math.abs(x) <= 0.5).count();
            System.out.printf(Locale.ROOT, "%nspans between the log's updates inside waves of >= 2 s: %d; within 0.5 %%: %d; worst %.3f %%%n",
                    spans.size(), within, worst);
        }
    }

    /**
     * The counter log's updates on the run's wall clock: each change of the logged value, placed
     * in the middle of the gap between the read before it and the read that showed it, moved from
     * CLOCK_MONOTONIC to the run's clock through the latest {@code clock.jsonl} anchor before it.
     */
    private record UpdateLog(long[] unixAt, double[] joules) {

        static UpdateLog read(Path log, Path clock) throws Exception {
            List<long[]> anchors = new ArrayList<>(); // {nanoTime, unixNanos}
            for (String line : Files.readAllLines(clock)) {
                if (!line.isBlank()) {
                    anchors.add(new long[] {Long.parseLong(field(line, "nanoTime")), Long.parseLong(field(line, "unixNanos"))});
                }
            }
            anchors.sort((x, y) -> Long.compare(x[0], y[0]));
            List<Long> at = new ArrayList<>();
            List<Double> joules = new ArrayList<>();
            long previousEnd = Long.MIN_VALUE;
            long previousMilli = Long.MIN_VALUE;
            for (String line : Files.readAllLines(log)) {
                String[] c = line.split(",");
                if (c.length != 4 || c[0].startsWith("t")) {
                    continue;
                }
                long before = Long.parseLong(c[0]);
                long milli = Long.parseLong(c[2]);
                long after = Long.parseLong(c[1]);
                if (previousMilli != Long.MIN_VALUE && milli != previousMilli) {
                    long mono = previousEnd + (after - previousEnd) / 2; // the driver takes the value as a read returns
                    long[] anchor = anchors.get(0);
                    for (long[] x : anchors) {
                        if (x[0] <= mono) {
                            anchor = x;
                        }
                    }
                    at.add(mono - anchor[0] + anchor[1]);
                    joules.add(milli / 1000.0);
                }
                previousEnd = after;
                previousMilli = milli;
            }
            return new UpdateLog(at.stream().mapToLong(Long::longValue).toArray(),
                    joules.stream().mapToDouble(Double::doubleValue).toArray());
        }

        int firstUpdateAfter(long t) {
            for (int i = 0; i < unixAt.length; i++) {
                if (unixAt[i] > t) {
                    return i;
                }
            }
            return -1;
        }

        int lastUpdateBefore(long t) {
            for (int i = unixAt.length - 1; i >= 0; i--) {
                if (unixAt[i] < t) {
                    return i;
                }
            }
            return -1;
        }
    }

    /**
     * {@code -Dtpb.replay.heldAcrossMs=N}: what the sensor does since session 29 with a held read
     * that showed a new value where the learned grid puts an update inside the call (it dates the
     * value as the call returned, not as it began). Traces written before hold such a value at its
     * call's start and not its return; one is known by its instant lying within 2 ms of its sample's
     * (an unheld read takes 2.4 ms or more). Where the grid puts an update within N ms after that
     * instant, the value is moved to 1 ms past that update, a stand-in for the unrecorded return.
     */
    private static void heldAcross(Trace tr, CounterGrid grid) {
        long reach = Math.round(Double.parseDouble(System.getProperty("tpb.replay.heldAcrossMs", "0")) * MS);
        if (reach <= 0) {
            return;
        }
        long period = Math.round(grid.periodNanos());
        for (int i = 0; i < tr.joules.length; i++) {
            if (Double.isNaN(tr.joules[i]) || (i > 0 && tr.t[i - 1] == tr.t[i]) || tr.joulesAt[i] - tr.t[i] >= 2 * MS
                    || tr.joulesAt[i] < tr.t[i]) {
                continue; // not a sample's first read, or not one dated as its call began
            }
            long next = grid.anchorNanos() + (Math.floorDiv(tr.joulesAt[i] - grid.anchorNanos(), period) + 1) * period;
            int j = i + 1;
            while (j < tr.joules.length && Double.isNaN(tr.joules[j])) {
                j++;
            }
            // a read after it in the trace (an edge check's) came before that update: the value was not held across it
            if (next - tr.joulesAt[i] <= reach && (j == tr.joules.length || tr.joulesAt[j] > next + MS)) {
                tr.joulesAt[i] = next + MS;
            }
        }
    }

    private static String order(Path p) {
        String[] parts = p.getFileName().toString().replace(".csv", "").split("-");
        return String.format("%012d-%06d", Long.parseLong(parts[2]), Long.parseLong(parts[3]));
    }

    private static PowerTrace toTrace(Trace tr, PowerChannel counter, PowerChannel buffer) {
        int n = tr.t.length;
        double[][] values = {tr.joules.clone(), tr.watts.clone()};
        long[][] at = {new long[n], new long[n]};
        for (int i = 0; i < n; i++) {
            at[0][i] = Double.isNaN(tr.joules[i]) ? Readings.AT_READ : tr.joulesAt[i];
            at[1][i] = Double.isNaN(tr.watts[i]) ? Readings.AT_READ : tr.wattsAt[i];
        }
        return new PowerTrace(List.of(counter, buffer), tr.t, values, at);
    }

    private static Trace read(Path f) throws Exception {
        List<String> lines = Files.readAllLines(f);
        List<String> head = List.of(lines.get(0).split(","));
        int t = head.indexOf("t_unix_ms");
        int j = head.indexOf("gpu0.counter_J");
        int w = head.indexOf("gpu0.power-buffer_W");
        int ja = head.indexOf("gpu0.counter.measured_unix_ms");
        int wa = head.indexOf("gpu0.power-buffer.measured_unix_ms");
        int n = lines.size() - 1;
        long[] times = new long[n];
        double[] joules = new double[n];
        long[] joulesAt = new long[n];
        double[] watts = new double[n];
        long[] wattsAt = new long[n];
        String trial = null;
        String iteration = null;
        // traces written before the sensor dated a counter read as the call returns (session 27) dated it as the call
        // began: -Dtpb.replay.counterReadMs=3.5 moves those stamps by one assumed call length, to replay them as today's
        long shift = Math.round(Double.parseDouble(System.getProperty("tpb.replay.counterReadMs", "0")) * MS);
        // a read that showed a new value yet took longer than this was held in the driver's spell after the step, and
        // the sensor dates it as its call began (NvmlSensor.SLOW_CHANGED_READ_NANOS, session 28); traces written before
        // hold only its return: -Dtpb.replay.slowChangedReadMs=8 dates such a value at its sample's instant instead
        long slow = Math.round(Double.parseDouble(System.getProperty("tpb.replay.slowChangedReadMs", "0")) * MS);
        double previous = Double.NaN;
        long previousAt = Long.MIN_VALUE;
        for (int i = 0; i < n; i++) {
            String[] c = lines.get(i + 1).split(",", -1);
            trial = c[0];
            iteration = c[1];
            times[i] = Math.round(Double.parseDouble(c[t]) * 1e6);
            joules[i] = c[j].isEmpty() ? Double.NaN : Double.parseDouble(c[j]);
            joulesAt[i] = (ja < 0 || c[ja].isEmpty() ? times[i] : Math.round(Double.parseDouble(c[ja]) * 1e6))
                    + (c[j].isEmpty() ? 0 : shift);
            if (slow > 0 && !Double.isNaN(joules[i])) {
                // only a sample's first read: its row's instant is when its call began (later reads of a sample,
                // a close's straddle, say, began well after it)
                if (!Double.isNaN(previous) && joules[i] != previous && joulesAt[i] - times[i] > slow
                        && joulesAt[i] - times[i] <= 30 * MS && times[i] > previousAt) {
                    joulesAt[i] = times[i];
                }
                previous = joules[i];
                previousAt = joulesAt[i];
            }
            watts[i] = c[w].isEmpty() ? Double.NaN : Double.parseDouble(c[w]);
            wattsAt[i] = wa < 0 || c[wa].isEmpty() ? times[i] : Math.round(Double.parseDouble(c[wa]) * 1e6);
        }
        return new Trace(trial, iteration, times, joules, joulesAt, watts, wattsAt);
    }

    /** A top-level or nested field's value from one JSON line, unquoted (enough for these rows). */
    private static String field(String json, String name) {
        int k = json.indexOf("\"" + name + "\":");
        if (k < 0) {
            return "NaN";
        }
        int v = k + name.length() + 3;
        if (json.charAt(v) == '"') {
            return json.substring(v + 1, json.indexOf('"', v + 1));
        }
        int end = v;
        while (end < json.length() && ",}".indexOf(json.charAt(end)) < 0) {
            end++;
        }
        return json.substring(v, end);
    }
}
