package org.tokenpowerbench.perf;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.commons.math3.distribution.TDistribution;
import org.tokenpowerbench.UserError;
import org.tokenpowerbench.client.RequestTimeline;
import org.tokenpowerbench.client.TokenCountSource;
import org.tokenpowerbench.energy.AttributionPolicy;
import org.tokenpowerbench.energy.IterationEnergy;
import org.tokenpowerbench.energy.PowerSignal;
import org.tokenpowerbench.jmh.BenchmarkSpec;
import org.tokenpowerbench.power.Method;
import org.tokenpowerbench.power.PowerChannel;
import org.tokenpowerbench.power.PowerTrace;
import org.tokenpowerbench.power.Scope;
import org.tokenpowerbench.report.EnergyRow;
import org.tokenpowerbench.report.Metric;
import org.tokenpowerbench.report.PowerTraceFile;
import org.tokenpowerbench.report.RequestsFile;
import org.tokenpowerbench.report.RequestsRow;
import org.tokenpowerbench.report.RunDirectory;
import org.tokenpowerbench.report.SensorRow;
import org.tokenpowerbench.report.SummaryFile;
import org.tokenpowerbench.report.SweepState;
import org.tokenpowerbench.report.TrialKey;
import org.tokenpowerbench.report.TrialResult;
import org.tokenpowerbench.report.html.ReportCommand;
import org.tokenpowerbench.stats.LatencyHistogram;
import org.tokenpowerbench.workload.Slo;
import org.tokenpowerbench.workload.WaveMetrics;
import org.tokenpowerbench.workload.WaveRecord;

/**
 * How long {@code report} takes on a big run, and how big its page is: writes a <b>synthetic</b>
 * run folder — {@code trials} trials (a batch × output-length sweep) of {@code iterations}
 * measured waves of {@code requests} requests each, every wave with a power trace of
 * {@code samples} samples — with the run folder's own writers (requests.csv, iterations.jsonl's
 * request and energy lines, the power CSVs, sensors.jsonl, summary.json), then runs
 * {@code report DIR} in this JVM and prints the time it took and the page's size. The figures are
 * made up (a model named {@code synthetic:big-report}, a sensor named {@code synthetic} whose
 * environment says no hardware was read); only their volume is real.
 *
 * <pre>
 *   java -cp perf/target/perf.jar org.tokenpowerbench.perf.BigReport dir=/tmp/big-run
 *   java -cp perf/target/perf.jar org.tokenpowerbench.perf.BigReport dir=/tmp/big-run trials=100 iterations=10 \
 *        requests=10000 samples=10000 rounds=2
 * </pre>
 * {@code rounds} builds the page that many times (the first in a cold JVM, as the command line
 * does). An existing folder is refused unless it holds a {@code summary.json} of ours
 * ({@code reuse=true} then times {@code report} on it without writing it again).
 */
public final class BigReport {

    static final String BENCH = "synthetic.BigReport";
    static final String SENSOR = "synthetic";
    static final long MS = 1_000_000L;
    static final int[] BATCHES = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512};
    static final int[] OUTPUTS = {32, 64, 96, 128, 160, 192, 224, 256, 288, 320};

    private BigReport() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> o = options(args);
        Path dir = Path.of(required(o, "dir"));
        int trials = number(o, "trials", 100);
        int iterations = number(o, "iterations", 10);
        int requests = number(o, "requests", 10_000);
        int samples = number(o, "samples", 10_000);
        int rounds = number(o, "rounds", 1);
        if (trials > BATCHES.length * OUTPUTS.length) {
            throw new UserError("trials=" + trials + " is more than the " + BATCHES.length * OUTPUTS.length
                    + " batch × output-length points this tool sweeps; give trials=100 or fewer");
        }
        boolean reuse = Boolean.parseBoolean(o.getOrDefault("reuse", "false"));
        if (!reuse) {
            if (Files.exists(dir)) {
                throw new UserError("dir=" + dir + " exists; give a new folder (it will hold several GB), or reuse=true"
                        + " to time report on a folder this tool wrote");
            }
            long start = System.nanoTime();
            write(dir, trials, iterations, requests, samples);
            System.out.printf(Locale.ROOT, "synthetic run folder %s: %d trials × %d iterations × %,d requests,"
                    + " %,d power samples per iteration, %,d bytes, written in %.1f s%n", dir, trials, iterations,
                    requests, samples, size(dir), (System.nanoTime() - start) / 1e9);
        }
        for (int round = 1; round <= rounds; round++) {
            long start = System.nanoTime();
            int status = ReportCommand.run(new String[] {dir.toString()});
            double seconds = (System.nanoTime() - start) / 1e9;
            if (status != 0) {
                throw new IllegalStateException("report ended with status " + status + " on " + dir);
            }
            System.out.printf(Locale.ROOT, "round %d: report built in %.2f s, report.html %,d bytes%n", round, seconds,
                    Files.size(dir.resolve("report.html")));
        }
    }

    static void write(Path dir, int trials, int iterations, int requests, int samples) throws IOException {
        Files.createDirectories(dir);
        RunDirectory run = new RunDirectory(dir);
        ObjectNode sensor = run.newObject();
        sensor.put("kind", "sensor").put("sensor", SENSOR).put("updatePeriodMs", 100).put("samplingPeriodMs", 10)
                .put("attributionPolicy", AttributionPolicy.DEFAULT.label());
        sensor.putObject("channels").put("synthetic.gpu0", "GPU-synthetic gpu counter ENERGY_JOULES");
        sensor.putObject("environment").put("synthetic", "made up by org.tokenpowerbench.perf.BigReport: no hardware was read");
        run.appendJsonLine(SensorRow.FILE, sensor);
        SplittableRandom random = new SplittableRandom(13);
        List<TrialResult> results = new ArrayList<>();
        int traceFiles = 0;
        for (int t = 0; t < trials; t++) {
            int batch = BATCHES[t % BATCHES.length];
            int output = OUTPUTS[t / BATCHES.length];
            Map<String, String> params = params(batch, output, requests);
            BenchmarkSpec.Builder spec = BenchmarkSpec.builder(BENCH);
            params.forEach((k, v) -> spec.set(k, k.equals("batch") || k.endsWith("Tokens") || k.equals("prompts")
                    ? (Object) Integer.parseInt(v) : v));
            TrialKey key = new TrialKey(BENCH, spec.build().describe());
            double[] jOut = new double[iterations];
            double[] ttft = new double[iterations];
            double[] tpot = new double[iterations];
            double[] rate = new double[iterations];
            double[] watts = new double[iterations];
            for (int i = 0; i < iterations; i++) {
                long t0 = 1_000_000_000L + (long) (t * iterations + i) * 400_000 * MS;
                WaveRecord wave = wave(random, t0, batch, output, requests);
                String iteration = "measurement-" + (i + 1);
                RequestsFile.append(run, key, iteration, wave);
                WaveMetrics m = WaveMetrics.of(wave, false, Slo.NONE);
                RequestsRow.append(run, key, "measurement", i + 1, "exact", m, Map.of(), Map.of());
                PowerTrace trace = trace(random, wave, samples, batch);
                PowerSignal signal = PowerSignal.of(trace, 500 * MS);
                IterationEnergy energy = IterationEnergy.measure(SENSOR, trace, signal, 100 * MS, wave,
                        AttributionPolicy.DEFAULT, null, -1);
                EnergyRow.append(run, new EnergyRow.Context(key.description(), BENCH, key.description(), "measurement",
                        i + 1, trace.size(), 0, 0, 0, "synthetic run: no idle window"), energy);
                PowerTraceFile.write(run, SENSOR, ++traceFiles, key, iteration, trace, signal);
                double seconds = (wave.endNanos() - wave.startNanos()) / 1e9;
                long tokens = m.outputTokens();
                jOut[i] = energy.totalJ() / tokens;
                ttft[i] = m.ttft().p50();
                tpot[i] = m.tpot().p50();
                rate[i] = tokens / seconds;
                watts[i] = energy.totalJ() / seconds;
            }
            Map<String, Metric> metrics = new LinkedHashMap<>();
            metrics.put(SENSOR + ".J/outputToken", jmh(jOut, "J/token"));
            metrics.put(SENSOR + ".avgPower", jmh(watts, "W"));
            metrics.put("ttft.p50", jmh(ttft, "ms"));
            metrics.put("tpot.p50", jmh(tpot, "ms"));
            metrics.put("output.tokens/s", jmh(rate, "tokens/s"));
            metrics.put("requests.failed", new Metric(requests / 500.0, 0, "requests", iterations));
            results.add(new TrialResult(BENCH + ".wave", params, new Metric(1, Double.NaN, "s/op", iterations), metrics));
        }
        SummaryFile.write(new SweepState(dir, trials, trials, results, List.of()));
    }

    static Map<String, String> params(int batch, int output, int requests) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("api", "completions");
        p.put("batch", Integer.toString(batch));
        p.put("engine", "embedded");
        p.put("inputTokens", "128");
        p.put("model", "synthetic:big-report");
        p.put("outputTokens", Integer.toString(output));
        p.put("prompts", Integer.toString(requests));
        return p;
    }

    /** {@code requests} requests, {@code batch} in flight, every 500th failed; times in ns from {@code t0}. */
    static WaveRecord wave(SplittableRandom random, long t0, int batch, int output, int requests) {
        List<RequestTimeline> list = new ArrayList<>(requests);
        long[] free = new long[batch];
        java.util.Arrays.fill(free, t0);
        long end = t0;
        for (int r = 0; r < requests; r++) {
            int slot = r % batch;
            long sent = free[slot];
            long queued = t0;
            if (r % 500 == 499) {
                list.add(new RequestTimeline(r, r, queued, sent, -1, -1, sent + 5 * MS, 128, 0, output,
                        TokenCountSource.SERVER_USAGE, 0, new LatencyHistogram(), "HTTP 503 (synthetic)", "http-503"));
                free[slot] = sent + 5 * MS;
                continue;
            }
            long first = sent + (long) ((15 + 2 * Math.sqrt(batch) + random.nextDouble() * 10) * MS);
            long perToken = (long) ((8 + 0.05 * batch + random.nextDouble()) * MS / 10);
            long last = first + perToken * (output - 1);
            list.add(new RequestTimeline(r, r, queued, sent, first, last, last + MS / 10, 128, output, output,
                    TokenCountSource.SERVER_USAGE, output, new LatencyHistogram(), null, null));
            free[slot] = last + MS / 10;
            end = Math.max(end, free[slot]);
        }
        return new WaveRecord(t0, end, batch, list);
    }

    /** A GPU energy counter over the wave (and half a second either side): power rising with the batch, with noise. */
    static PowerTrace trace(SplittableRandom random, WaveRecord wave, int samples, int batch) {
        long from = wave.startNanos() - 500 * MS;
        long step = Math.max(1, (wave.endNanos() + 500 * MS - from) / (samples - 1));
        long[] times = new long[samples];
        double[] joules = new double[samples];
        double base = 120 + 40 * Math.log(1 + batch);
        for (int i = 0; i < samples; i++) {
            times[i] = from + i * step;
            if (i > 0) {
                joules[i] = joules[i - 1] + (base + 20 * random.nextDouble()) * step / 1e9;
            }
        }
        return new PowerTrace(List.of(new PowerChannel("synthetic.gpu0", "GPU-synthetic", Scope.GPU, Method.COUNTER,
                PowerChannel.Kind.ENERGY_JOULES)), times, new double[][] {joules});
    }

    /** JMH's score and its 99.9 % error (Student's t) over the iterations' values. */
    static Metric jmh(double[] v, String unit) {
        double mean = 0;
        for (double x : v) {
            mean += x / v.length;
        }
        if (v.length < 2) {
            return new Metric(mean, Double.NaN, unit, v.length);
        }
        double ss = 0;
        for (double x : v) {
            ss += (x - mean) * (x - mean);
        }
        double sd = Math.sqrt(ss / (v.length - 1));
        return new Metric(mean, new TDistribution(v.length - 1).inverseCumulativeProbability(0.9995) * sd
                / Math.sqrt(v.length), unit, v.length);
    }

    private static long size(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> o = new LinkedHashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            String name = eq < 0 ? a : a.substring(0, eq);
            if (eq < 0 || !List.of("dir", "trials", "iterations", "requests", "samples", "rounds", "reuse").contains(name)) {
                throw new UserError("BigReport: '" + a + "' is not one of dir=, trials=, iterations=, requests=,"
                        + " samples=, rounds=, reuse=");
            }
            o.put(name, a.substring(eq + 1));
        }
        return o;
    }

    private static String required(Map<String, String> o, String name) {
        String v = o.get(name);
        if (v == null) {
            throw new UserError("BigReport: give " + name + "=..., e.g. dir=/tmp/big-run (a new folder)");
        }
        return v;
    }

    private static int number(Map<String, String> o, String name, int otherwise) {
        String v = o.get(name);
        try {
            int n = v == null ? otherwise : Integer.parseInt(v);
            if (n < 1) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new UserError("BigReport: " + name + "=" + v + " is no whole number of 1 or more");
        }
    }
}
