package org.tokenpowerbench.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tokenpowerbench.engine.gguf.SyntheticModelCache;

/**
 * Runs {@code benchmarks.jar} the way the README tells a user to, in a fresh JVM, and checks
 * what it prints and writes. Each run uses one warm-up-free iteration to stay short.
 */
class BenchmarksJarIT {

    record Run(int exit, String out) {
    }

    private static Run java(Path workDir, String... args) throws IOException, InterruptedException {
        Process p = start(workDir, workDir.resolve("run"), args);
        byte[] bytes = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), "benchmarks.jar did not finish");
        return new Run(p.exitValue(), new String(bytes, StandardCharsets.UTF_8));
    }

    /**
     * The command that runs {@code benchmarks.jar} with {@code args}. Its temporary folder is its
     * own, so JMH's lock ({@code <java.io.tmpdir>/jmh.lock}) is too: these tests never wait for, nor
     * fail on, another JMH run on the machine.
     */
    private static List<String> command(Path workDir, Path runDir, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Djava.io.tmpdir=" + Files.createDirectories(workDir.resolve("tmp")));
        cmd.add("-Dtpb.runDir=" + runDir);
        cmd.add("-jar");
        cmd.add(Path.of(System.getProperty("tpb.benchmarksJar", "target/benchmarks.jar")).toAbsolutePath().toString());
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static Process start(Path workDir, Path runDir, String... args) throws IOException {
        return new ProcessBuilder(command(workDir, runDir, args)).directory(workDir.toFile()).redirectErrorStream(true)
                .start();
    }

    @Test
    void listsTheSamples(@TempDir Path dir) throws Exception {
        Run run = java(dir, "-l");
        assertEquals(0, run.exit(), run.out());
        assertTrue(run.out().contains("TPBSample_01_FirstJoules_Energy.wave"), run.out());
        assertTrue(run.out().contains("TPBSample_02_BatchSweep_Energy.wave"), run.out());
        // the samples and nothing else: what -l lists is also what a run with no selector runs
        List<String> listed = run.out().lines().map(String::strip)
                .filter(l -> l.startsWith("org.") || l.startsWith("com.")).toList();
        assertFalse(listed.isEmpty(), run.out());
        for (String name : listed) {
            assertTrue(name.startsWith("org.tokenpowerbench.samples.TPBSample_"),
                    "benchmarks.jar lists " + name + ", which is not a sample (the project's own benchmarks go to perf/)");
        }
    }

    @Test
    void mixedLengthsInATimedWaveAsSample04TeachesIt(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("result.json");
        Run run = java(dir, "TPBSample_04", "-p", "waveSeconds=1.5", "-p", "prompts=4", "-wi", "0", "-i", "1",
                "-rf", "json", "-rff", json.toString());
        assertEquals(0, run.exit(), run.out());
        JsonNode secondary = new ObjectMapper().readTree(json.toFile()).get(0).path("secondaryMetrics");
        double succeeded = secondary.path("requests.succeeded").path("score").asDouble();
        assertTrue(succeeded > 4, "a 1.5 s wave of 4 workers cycles the 4 prompts: " + succeeded);
        assertEquals(1.0, secondary.path("tokens.output.ofRequested").path("score").asDouble(), 1e-12,
                "every drawn output length produced exactly");
        List<String> requests = Files.readAllLines(dir.resolve("run").resolve("requests.csv"));
        java.util.Set<String> requested = new java.util.HashSet<>();
        int column = List.of(requests.get(0).split(",")).indexOf("requested_output_tokens");
        for (String row : requests.subList(1, requests.size())) {
            requested.add(row.split(",")[column]);
        }
        assertTrue(requested.size() > 1, "output lengths are drawn, not fixed: " + requested);
    }

    @Test
    void batchSweepWritesTwoJsonEntriesWithEstimatedJoulesPerToken(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("result.json");
        Run run = java(dir, "TPBSample_01", "-prof", "cpu", "-p", "batch=1,2", "-p", "prompts=4",
                "-wi", "0", "-i", "1", "-f", "1", "-rf", "json", "-rff", json.toString());
        assertEquals(0, run.exit(), run.out());
        assertTrue(run.out().contains("cpu.estimated.J/token"), "energy per token labelled estimated");
        assertTrue(run.out().contains("ttft.p50") && run.out().contains("tpot.p99") && run.out().contains("itl.p90")
                && run.out().contains("e2e.p99") && run.out().contains("output.tokens/s"), run.out());

        JsonNode results = new ObjectMapper().readTree(json.toFile());
        assertEquals(2, results.size());
        for (JsonNode r : results) {
            JsonNode secondary = r.path("primaryMetric").isMissingNode() ? null : r.path("secondaryMetrics");
            double jPerToken = secondary.path("cpu.estimated.J/token").path("score").asDouble(Double.NaN);
            assertTrue(jPerToken > 0 && Double.isFinite(jPerToken), "J/token " + jPerToken);
            assertEquals(4 * 64, secondary.path("tokens.output.server-usage").path("score").asDouble(), 1e-9);
            assertEquals(4 * 128, secondary.path("tokens.prompt.server-usage").path("score").asDouble(), 1e-9);
        }
        Path runDir = dir.resolve("run");
        List<String> requests = Files.readAllLines(runDir.resolve("requests.csv"));
        assertEquals(1 + 2 * 4, requests.size(), "header plus 4 requests for each of 2 trials");
        assertTrue(Files.exists(runDir.resolve("summary.json")));
        String iterations = Files.readString(runDir.resolve("iterations.jsonl"));
        assertTrue(iterations.contains("\"method\":\"estimated\""));
        // the second trial's fork takes the first one's prompts from the run folder (same model, lengths, seed)
        assertTrue(iterations.contains("; 4 prompts built with "), iterations);
        assertTrue(iterations.contains("; from cache (4 prompts, 1 check call in "), iterations);
        try (var entries = Files.list(runDir.resolve("prompt-cache"))) {
            assertEquals(1, entries.count(), "one entry for both trials");
        }
        assertTrue(Files.readString(runDir.resolve("regression.json")).contains("\"fits\""),
                "the regression listener wrote its file on the host");
    }

    @Test
    void unknownParameterIsAnErrorNamingTheKnownOnes(@TempDir Path dir) throws Exception {
        Run run = java(dir, "TPBSample_01", "-p", "batchsize=4");
        assertEquals(2, run.exit(), run.out());
        assertTrue(run.out().contains("unknown parameter 'batchsize'") && run.out().contains("batch"), run.out());
    }

    @Test
    void badInputIsOneLineWithoutStackTrace(@TempDir Path dir) throws Exception {
        Run model = java(dir, "TPBSample_01", "-p", "model=/no/such.gguf");
        assertEquals(2, model.exit(), model.out());
        assertTrue(model.out().contains("model file '/no/such.gguf' does not exist"), model.out());
        assertTrue(!model.out().contains("\tat "), "no stack trace: " + model.out());

        Run engine = java(dir, "TPBSample_01", "-p", "engine=http://127.0.0.1:9");
        assertEquals(2, engine.exit(), engine.out());
        assertTrue(engine.out().contains("cannot reach engine http://127.0.0.1:9"), engine.out());

        Run nvml = java(dir, "TPBSample_01", "-prof", "nvml");
        assertEquals(2, nvml.exit(), nvml.out());
        assertTrue(nvml.out().contains("NVML"), nvml.out());
    }

    /**
     * The README's first command, exactly: its console is JMH's output and ours, with llama.cpp's
     * own log (once 72 % of it, cutting JMH's iteration lines in two) in the run folder instead.
     */
    @Test
    void theFirstCommandPrintsOnlyJmhAndOurLinesAndKeepsLlamaCppsLogInTheRunFolder(@TempDir Path dir) throws Exception {
        Run run = java(dir, "TPBSample_01", "-prof", "cpu");
        assertEquals(0, run.exit(), run.out());
        List<String> foreign = run.out().lines().filter(l -> !jmhOrOurs(l)).toList();
        assertEquals(List.of(), foreign, "lines that are neither JMH's nor TokenPowerBench's");
        List<String> iterations = run.out().lines().filter(l -> l.startsWith("Iteration ")).toList();
        assertEquals(6, iterations.size(), run.out());
        for (String l : iterations) {
            assertTrue(l.matches("Iteration +\\d+: [0-9.]+ ms/op"), "an iteration line in one piece: " + l);
        }
        List<Path> logs;
        try (Stream<Path> files = Files.list(dir.resolve("run").resolve("engines"))) {
            logs = files.sorted().toList();
        }
        assertEquals(2, logs.size(), "one log per fork: " + logs);
        for (Path log : logs) {
            assertTrue(log.getFileName().toString().matches("embedded-\\d+\\.log"), log.toString());
            String text = Files.readString(log);
            assertTrue(text.contains("llama_model_loader"), "llama.cpp's log is in " + log + ": " + text.length() + " chars");
            assertTrue(run.out().contains(log.toString()), "the engine's line says where its log went");
        }
    }

    /**
     * A warning the fork prints at a wave's end (here: no warm-up before the first measured wave)
     * follows JMH's iteration line instead of cutting it in two; a CI host's steal warning once did.
     */
    @Test
    void aWarningAtAWavesEndFollowsTheIterationLine(@TempDir Path dir) throws Exception {
        Run run = java(dir, "TPBSample_01", "-p", "batch=1", "-p", "prompts=2", "-wi", "0", "-i", "1", "-f", "1",
                "-jvmArgsAppend", "-Dtpb.idleSeconds=0");
        assertEquals(0, run.exit(), run.out());
        List<String> lines = run.out().lines().toList();
        int at = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("Iteration ")) {
                at = i;
            }
        }
        assertTrue(at >= 0 && lines.get(at).matches("Iteration +1: [0-9.]+ ms/op"), "the line in one piece: " + run.out());
        int warning = at + 1;
        while (warning < lines.size() && (lines.get(warning).isBlank() || lines.get(warning).startsWith(" ")
                || lines.get(warning).startsWith("tokenpowerbench: embedded llama.cpp"))) {
            warning++; // JMH's secondary results, indented, close the iteration's report; the engine's start-up line
        }
        assertTrue(warning < lines.size()
                        && lines.get(warning).startsWith("tokenpowerbench: the first measured wave ran with no warm-up"),
                "the warning after the iteration's report: " + run.out());
    }

    /** {@code -Dtpb.embedded.log=true} shows llama.cpp's log on the console again, and writes no log file. */
    @Test
    void theEmbeddedLogPropertyShowsLlamaCppsLog(@TempDir Path dir) throws Exception {
        Run run = java(dir, "TPBSample_01", "-p", "batch=1", "-p", "prompts=2", "-wi", "0", "-i", "1",
                "-jvmArgsAppend", "-Dtpb.embedded.log=true -Dtpb.idleSeconds=0");
        assertEquals(0, run.exit(), run.out());
        assertTrue(run.out().contains("llama_model_loader"), run.out());
        assertTrue(!Files.exists(dir.resolve("run").resolve("engines")), "no log file when the log is shown");
    }

    /** A line JMH or TokenPowerBench prints; anything else on the console is a third party's. */
    private static boolean jmhOrOurs(String l) {
        if (l.isBlank() || l.startsWith(" ") || l.startsWith("\t")) {
            return true; // JMH's result details and secondary metrics are indented, so are our failure lines
        }
        for (String prefix : List.of("#", "tokenpowerbench:", "TokenPowerBench ", "Iteration ", "Result \"", "Benchmark ",
                "Secondary result", "<JMH had finished", "<shutdown timeout", "Non-finished threads:", "Thread[",
                // JMH's closing advice and its note on compiler blackholes
                "REMEMBER: The numbers below", "why the numbers are", "experiments, perform baseline",
                "the benchmarking environment is safe", "Do not assume the numbers", "NOTE: Current JVM experimentally",
                "extra caution when trusting", "works, and factor in", "different JVMs are already",
                "modes can be very significant")) {
            if (l.startsWith(prefix)) {
                return true;
            }
        }
        return l.split(" ")[0].contains("_Energy.wave") // JMH's table rows
                || l.matches("^[0-9.≈ ±⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+ .*"); // a result line's continuation
    }

    /**
     * A project set up the JMH way starts JMH's own Main, which knows neither {@code -prof cpu}
     * nor our run folder; with our profilers named by class it must stop at once with one line
     * naming our Main, not lose the latency metrics, the summary and resume silently.
     */
    @Test
    void jmhsOwnMainStopsWithOneLineNamingOurs(@TempDir Path dir) throws Exception {
        for (String profiler : List.of("org.tokenpowerbench.jmh.PowerProfiler:sensor=cpu",
                "org.tokenpowerbench.jmh.RequestMetricsProfiler")) {
            List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Djava.io.tmpdir=" + Files.createDirectories(dir.resolve("tmp")), "-cp",
                    System.getProperty("tpb.benchmarksJar", "target/benchmarks.jar"), "org.openjdk.jmh.Main",
                    "TPBSample_01", "-prof", profiler, "-wi", "0", "-i", "1", "-f", "1");
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(2, TimeUnit.MINUTES), "JMH's Main did not stop");
            assertTrue(p.exitValue() != 0, out);
            assertTrue(out.contains("works only under TokenPowerBench's Main") && out.contains("org.tokenpowerbench.sweep.Main"),
                    out);
            assertTrue(!out.contains("\tat ") && !out.contains("# Run progress"), "stopped before any fork, no stack: " + out);
        }
        // without our profilers JMH's Main reaches the fork; the trial stops there before the engine starts
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Djava.io.tmpdir=" + Files.createDirectories(dir.resolve("tmp")), "-cp",
                System.getProperty("tpb.benchmarksJar", "target/benchmarks.jar"), "org.openjdk.jmh.Main",
                "TPBSample_01", "-p", "batch=1", "-wi", "0", "-i", "1", "-f", "1");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "JMH's Main did not stop");
        assertTrue(out.contains("BenchmarkFailure: a TokenPowerBench benchmark runs only under TokenPowerBench's Main")
                && out.contains("org.tokenpowerbench.sweep.Main"), out);
        assertTrue(!out.contains("\tat ") && !out.contains("llama_model_loader"), "no stack, no engine: " + out);
    }

    @Test
    void aTrialThatFailsLaterKeepsTheTrialsBeforeItAndResumeRunsOnlyTheRest(@TempDir Path dir) throws Exception {
        // A file that starts like a GGUF passes the up-front check, then fails to load in its trial.
        Path late = Files.write(dir.resolve("late.gguf"), new byte[] {'G', 'G', 'U', 'F', 3, 0, 0, 0});
        Path json = dir.resolve("result.json");
        String[] sweep = {"TPBSample_01", "-p", "batch=1", "-p", "prompts=2", "-p", "model=synthetic:llama-tiny," + late,
                "-wi", "0", "-i", "1", "-f", "1", "-jvmArgsAppend", "-Dtpb.idleSeconds=0", "-rf", "json", "-rff",
                json.toString()};
        Run run = java(dir, sweep);
        assertEquals(1, run.exit(), run.out());
        assertTrue(run.out().contains("1 trial(s) failed") && run.out().contains("late.gguf"), run.out());
        assertTrue(run.out().contains("--resume " + dir.resolve("run")), "says how to go on: " + run.out());
        assertTrue(!run.out().contains("\tat "), "no stack trace: " + run.out());
        Path runDir = dir.resolve("run");
        assertEquals(2, rows(runDir, "synthetic:llama-tiny"), "the first trial's requests are on disk");
        List<String> ledger = Files.readAllLines(runDir.resolve("trials.jsonl"));
        assertEquals(2, ledger.size(), ledger::toString);
        assertTrue(ledger.get(0).contains("\"status\":\"complete\"") && ledger.get(0).contains("synthetic:llama-tiny"),
                ledger.get(0));
        assertTrue(ledger.get(1).contains("\"status\":\"failed\"") && ledger.get(1).contains("late.gguf"), ledger.get(1));
        assertEquals(List.of("synthetic:llama-tiny"), models(new ObjectMapper().readTree(json.toFile())));
        JsonNode summary = new ObjectMapper().readTree(runDir.resolve("summary.json").toFile());
        assertEquals(List.of("synthetic:llama-tiny"), models(summary.get("trials")));
        assertEquals(late.toString(), summary.get("failed").get(0).get("params").get("model").asText());

        // The cause goes away (a real model file now), and the same command line goes on where it stopped.
        Path model = SyntheticModelCache.resolve("llama-tiny", "f16", 7, dir.resolve("cache"));
        Files.copy(model, late, StandardCopyOption.REPLACE_EXISTING);
        List<String> resume = new ArrayList<>(List.of(sweep));
        resume.addAll(List.of("--resume", runDir.toString()));
        Run resumed = java(dir, resume.toArray(new String[0]));
        assertEquals(0, resumed.exit(), resumed.out());
        assertEquals(1, resumed.out().lines().filter(l -> l.startsWith("tokenpowerbench: resume: skipping ")
                && l.contains("model=synthetic:llama-tiny") && l.endsWith("(complete in " + runDir + ")")).count(),
                resumed.out());
        assertTrue(resumed.out().lines().noneMatch(l -> l.contains("skipping") && l.contains("late.gguf")),
                "the failed trial runs again: " + resumed.out());
        assertEquals(2, rows(runDir, "synthetic:llama-tiny"), "no new requests for the skipped trial");
        assertEquals(2, rows(runDir, late.toString()), "the failed trial ran");
        assertEquals(List.of("synthetic:llama-tiny", late.toString()), models(new ObjectMapper().readTree(json.toFile())),
                "the result file lists every trial of the sweep, in order");
        summary = new ObjectMapper().readTree(runDir.resolve("summary.json").toFile());
        assertEquals(List.of("synthetic:llama-tiny", late.toString()), models(summary.get("trials")));
        assertEquals(0, summary.get("failed").size());
        assertTrue(Files.readAllLines(runDir.resolve("trials.jsonl")).get(2).contains("\"status\":\"complete\""));
    }

    /**
     * A loopback OpenAI-compatible server that streams a completion for its first {@code good}
     * requests and answers every later one with HTTP 500: a server that breaks between two
     * iterations of a trial.
     */
    private static com.sun.net.httpserver.HttpServer breakingServer(int good) throws IOException {
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 64);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool()); // a slow path holds no other back
        java.util.concurrent.atomic.AtomicInteger completions = new java.util.concurrent.atomic.AtomicInteger();
        server.createContext("/v1/models", x -> answer(x, 200, "application/json", "{\"object\":\"list\",\"data\":[{\"id\":\"m\"}]}"));
        server.createContext("/tokenize", x -> answer(x, 404, "text/plain", "no"));
        server.createContext("/v1/completions", x -> {
            x.getRequestBody().readAllBytes();
            if (completions.incrementAndGet() > good) {
                answer(x, 500, "application/json", "{\"error\":\"the engine crashed\"}");
                return;
            }
            StringBuilder sse = new StringBuilder();
            for (int i = 0; i < 4; i++) {
                sse.append("data: {\"choices\":[{\"index\":0,\"text\":\"t").append(i).append("\"}]}\n\n");
            }
            sse.append("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":8,\"completion_tokens\":4}}\n\n");
            sse.append("data: [DONE]\n\n");
            answer(x, 200, "text/event-stream", sse.toString());
        });
        server.start();
        return server;
    }

    private static void answer(com.sun.net.httpserver.HttpExchange x, int code, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", type);
        x.sendResponseHeaders(code, bytes.length);
        try (var out = x.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Test
    void aServerThatBreaksAfterTheFirstIterationFailsTheTrialAndKeepsTheFirstIterationsRows(@TempDir Path dir)
            throws Exception {
        com.sun.net.httpserver.HttpServer server = breakingServer(2); // iteration 1's two requests, then 500s
        try {
            String engine = "http://127.0.0.1:" + server.getAddress().getPort();
            Run run = java(dir, "TPBSample_01", "-p", "engine=" + engine, "-p", "model=m", "-p", "batch=1", "-p",
                    "prompts=2", "-p", "inputTokens=8", "-p", "outputTokens=4", "-wi", "0", "-i", "3", "-f", "1",
                    "-jvmArgsAppend", "-Dtpb.idleSeconds=0");
            assertEquals(1, run.exit(), run.out());
            Path runDir = dir.resolve("run");
            assertTrue(run.out().contains("1 trial(s) failed"), run.out());
            assertTrue(run.out().contains("2 of 2 requests failed") && run.out().contains("[http-500]"), run.out());
            assertTrue(run.out().contains("--resume " + runDir), "says how to go on: " + run.out());
            List<String> ledger = Files.readAllLines(runDir.resolve("trials.jsonl"));
            assertEquals(1, ledger.size(), ledger::toString);
            assertTrue(ledger.get(0).contains("\"status\":\"failed\""), ledger.get(0));
            assertTrue(ledger.get(0).contains("\"reasons\":[") && ledger.get(0).contains("2 of 2 requests failed"),
                    "the ledger's line says why: " + ledger.get(0));
            List<String> requests = Files.readAllLines(runDir.resolve("requests.csv"));
            assertEquals(2, requests.stream().filter(l -> l.contains(",measurement-1,")).count(), requests::toString);
            // retries 0, then the replica column, empty for an engine of one server
            assertTrue(requests.stream().filter(l -> l.contains(",measurement-1,")).allMatch(l -> l.endsWith(",0,")
                    && !l.contains("http-500")), "iteration 1's rows, measured and whole: " + requests);
            assertEquals(2, requests.stream().filter(l -> l.contains(",measurement-2,") && l.contains(",http-500,"))
                    .count(), "iteration 2's rows say why it failed: " + requests);
            assertTrue(requests.stream().noneMatch(l -> l.contains(",measurement-3,")), "no third iteration ran");
        } finally {
            server.stop(0);
        }
    }

    /**
     * JMH's score is the wave's time, and {@code report --compare} compares it between runs: what
     * we do around the requests must stay out of it. Here the engine's {@code /metrics} takes 2 s to
     * answer, so the closing scrape after each wave takes 2 s; the requests themselves take
     * milliseconds. Before the harness recorded the wave in {@code @TearDown(Level.Iteration)}, each
     * wave's score was over 2,000 ms.
     */
    @Test
    void jmhsScoreIsTheWavesTimeWithoutTheClosingScrape(@TempDir Path dir) throws Exception {
        com.sun.net.httpserver.HttpServer server = breakingServer(Integer.MAX_VALUE);
        java.util.concurrent.atomic.AtomicInteger scrapes = new java.util.concurrent.atomic.AtomicInteger();
        server.createContext("/metrics", x -> {
            scrapes.incrementAndGet();
            try {
                Thread.sleep(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            answer(x, 200, "text/plain; version=0.0.4", "# TYPE vllm:num_requests_running gauge\nvllm:num_requests_running 0\n");
        });
        try {
            String engine = "http://127.0.0.1:" + server.getAddress().getPort();
            Path json = dir.resolve("result.json");
            Run run = java(dir, "TPBSample_01", "-p", "engine=" + engine, "-p", "model=m", "-p", "batch=1", "-p",
                    "prompts=2", "-p", "inputTokens=8", "-p", "outputTokens=4", "-wi", "0", "-i", "2", "-f", "1",
                    "-jvmArgsAppend", "-Dtpb.idleSeconds=0 -Dtpb.metricsMillis=60000", "-rf", "json", "-rff",
                    json.toString());
            assertEquals(0, run.exit(), run.out());
            JsonNode primary = new ObjectMapper().readTree(json.toFile()).get(0).get("primaryMetric");
            assertEquals("ms/op", primary.get("scoreUnit").asText());
            List<Double> waves = new ArrayList<>();
            primary.get("rawData").get(0).forEach(v -> waves.add(v.asDouble()));
            assertEquals(2, waves.size(), primary::toString);
            assertTrue(waves.stream().allMatch(ms -> ms < 1_000), "each wave's score leaves the 2 s scrape out: " + waves);
            List<String> metrics = Files.readAllLines(dir.resolve("run").resolve("engine-metrics.jsonl"));
            assertEquals(2, metrics.stream().filter(l -> l.contains("\"kind\":\"wave\"")).count(),
                    "each wave's closing scrape was still taken and recorded: " + metrics);
            assertTrue(scrapes.get() >= 3, "the opening scrape and a closing one per wave: " + scrapes.get());
        } finally {
            server.stop(0);
        }
    }

    @Test
    void badValuesAndResumeFoldersAreOneLineBeforeAnyFork(@TempDir Path dir) throws Exception {
        Run rate = java(dir, "TPBSample_03", "-p", "rate=10,-1");
        assertEquals(2, rate.exit(), rate.out());
        assertTrue(rate.out().contains("rate=-1.0 is not an arrival rate"), rate.out());
        assertEquals(1, rate.out().strip().lines().count(), "one line: " + rate.out());

        Run resume = java(dir, "TPBSample_01", "--resume", dir.resolve("nothing-here").toString());
        assertEquals(2, resume.exit(), resume.out());
        assertTrue(resume.out().contains("--resume " + dir.resolve("nothing-here") + ": no sweep recorded there"),
                resume.out());
        assertEquals(1, resume.out().strip().lines().count(), "one line: " + resume.out());
        assertTrue(!Files.exists(dir.resolve("run")), "nothing ran");
    }

    // --- faults: JMH's lock, Ctrl-C, full and unusable run folders, every trial failing -------------------

    @Test
    void aRunGoesThroughWhileAnotherJmhRunHoldsTheMachineWideLockAndItsOwnHeldLockIsOneLine(@TempDir Path dir)
            throws Exception {
        Path machineWide = Path.of(System.getProperty("java.io.tmpdir"), "jmh.lock");
        try (FileChannel ch = FileChannel.open(machineWide, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
             FileLock held = tryLock(ch)) {
            // held by this test, or already by another JMH run on the machine: either way taken
            Run run = java(dir, "TPBSample_01", "-p", "batch=1", "-p", "prompts=2", "-wi", "0", "-i", "1", "-f", "1",
                    "-jvmArgsAppend", "-Dtpb.idleSeconds=0");
            assertEquals(0, run.exit(), run.out());
        }
        Path own = Files.createDirectories(dir.resolve("tmp")).resolve("jmh.lock");
        try (FileChannel ch = FileChannel.open(own, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
             FileLock held = ch.lock()) {
            Run run = java(dir, "TPBSample_01", "-p", "batch=1");
            assertEquals(2, run.exit(), run.out());
            assertEquals("tokenpowerbench: another JMH run holds JMH's machine-wide lock " + own + ": wait until it"
                    + " ends, or run with -Djmh.ignoreLock=true before -jar if the two runs may measure at the same time",
                    run.out().strip());
        }
    }

    private static FileLock tryLock(FileChannel ch) throws IOException {
        try {
            return ch.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            return null;
        }
    }

    @Test
    void ctrlCStopsTheForkKeepsTheFinishedTrialAndSaysHowToResume(@TempDir Path dir) throws Exception {
        // a shell without job control starts background jobs with SIGINT ignored, and the JVMs below
        // inherit that: Ctrl-C cannot reach them then, whatever the product does
        org.junit.jupiter.api.Assumptions.assumeFalse(sigintIgnored(), "this build was started with SIGINT ignored"
                + " (a background job or nohup): no child can receive a Ctrl-C");
        Path json = Files.writeString(dir.resolve("result.json"), "earlier run's result");
        Path runDir = dir.resolve("run");
        // trial 1: a one-second wave; trial 2: a two-minute wave, interrupted while it runs
        Process p = start(dir, runDir, "TPBSample_04", "-p", "waveSeconds=1,120", "-p", "prompts=4", "-wi", "0",
                "-i", "1", "-f", "1", "-jvmArgsAppend", "-Dtpb.idleSeconds=0", "-rf", "json", "-rff", json.toString());
        StringBuffer out = new StringBuffer();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    out.append(line).append('\n');
                }
            } catch (IOException ignored) {
                // the stream closes with the process
            }
        });
        reader.start();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (!secondTrialMeasuring(out.toString()) && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertTrue(p.isAlive() && secondTrialMeasuring(out.toString()), out::toString);
        Thread.sleep(3000); // into the trial's set-up or wave
        List<ProcessHandle> children = p.descendants().toList();
        assertFalse(children.isEmpty(), "the fork runs");
        assertEquals(0, new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).inheritIO().start().waitFor());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the host ends after Ctrl-C: " + out);
        reader.join(10_000);
        String text = out.toString();
        assertEquals(130, p.exitValue(), text);
        for (ProcessHandle c : children) {
            assertFalse(c.isAlive(), "left running: " + c.pid() + " " + c.info());
        }
        assertTrue(text.contains("TokenPowerBench run folder: " + runDir.toAbsolutePath()), text);
        assertTrue(text.contains("tokenpowerbench: interrupted; 1 trial(s) failed; 1 of 2 trial(s) are recorded"
                + " complete in " + runDir + "; run the rest with the same command line plus --resume " + runDir), text);
        JsonNode results = new ObjectMapper().readTree(json.toFile());
        assertEquals(1, results.size(), "the -rff file covers the finished trial");
        assertEquals("1", results.get(0).path("params").path("waveSeconds").asText());
        List<String> ledger = Files.readAllLines(runDir.resolve("trials.jsonl"));
        assertEquals(2, ledger.size(), ledger::toString);
        assertTrue(ledger.get(0).contains("\"status\":\"complete\""), ledger.get(0));
        assertTrue(ledger.get(1).contains("\"status\":\"failed\"") && ledger.get(1).contains("\"invocation\""),
                ledger.get(1));
        assertTrue(ledger.get(1).contains("\"reasons\":[\"") && ledger.get(1).contains("waveSeconds=120")
                && ledger.get(1).contains("}: interrupted (Ctrl-C or SIGTERM) before it finished\""), ledger.get(1));
        JsonNode summary = new ObjectMapper().readTree(runDir.resolve("summary.json").toFile());
        assertEquals(1, summary.get("trials").size());
        assertEquals("120", summary.get("failed").get(0).path("params").path("waveSeconds").asText());
        assertTrue(Files.readAllLines(runDir.resolve("requests.csv")).size() > 1, "the finished trial's rows");
    }

    private static boolean secondTrialMeasuring(String out) {
        int second = out.indexOf("tokenpowerbench: trial 2 of 2");
        return second >= 0 && out.indexOf("Iteration   1:", second) >= 0;
    }

    @Test
    void whenEveryTrialFailsAnEarlierResultFileIsKept(@TempDir Path dir) throws Exception {
        Path late = Files.write(dir.resolve("late.gguf"), new byte[] {'G', 'G', 'U', 'F', 3, 0, 0, 0});
        Path json = Files.writeString(dir.resolve("result.json"), "[ {\"earlier\": 1} ]");
        Run run = java(dir, "TPBSample_01", "-p", "batch=1", "-p", "prompts=2", "-p", "model=" + late, "-wi", "0",
                "-i", "1", "-f", "1", "-rf", "json", "-rff", json.toString());
        assertEquals(1, run.exit(), run.out());
        assertEquals("[ {\"earlier\": 1} ]", Files.readString(json), "not replaced by an empty list");
        assertTrue(run.out().contains("No trial is complete: the result file " + json + " is left as it was"), run.out());
        assertTrue(run.out().contains("1 trial(s) failed; 0 of 1 trial(s) are recorded complete in " + dir.resolve("run")),
                run.out());
    }

    @Test
    void aDiskThatFillsFailsTheTrialWithTheReasonAndClaimsNothing(@TempDir Path dir) throws Exception {
        Path runDir = Files.createDirectories(dir.resolve("run"));
        Assumptions.assumeTrue(Files.isWritable(Path.of("/dev/full")), "needs /dev/full (Linux)");
        Files.createSymbolicLink(runDir.resolve("requests.csv"), Path.of("/dev/full")); // every write: ENOSPC
        Run run = java(dir, "TPBSample_01", "-p", "batch=1", "-p", "prompts=2", "-wi", "0", "-i", "1", "-f", "1",
                "-jvmArgsAppend", "-Dtpb.idleSeconds=0");
        assertEquals(1, run.exit(), run.out());
        assertTrue(run.out().contains("measurement iteration 1 of 1: java.io.UncheckedIOException: cannot write "
                + runDir.resolve("requests.csv") + ": No space left on device (free room there, or choose a writable"
                + " folder with -Dtpb.runDir=DIR before -jar)"), run.out());
        assertFalse(run.out().contains("-rd "), "no such flag");
        assertTrue(run.out().contains("1 trial(s) failed; 0 of 1 trial(s) are recorded complete in " + runDir), run.out());
        JsonNode summary = new ObjectMapper().readTree(runDir.resolve("summary.json").toFile());
        assertEquals(0, summary.get("trials").size());
        assertEquals(1, summary.get("failed").size());
    }

    @Test
    void aFullRunFolderIsRefusedBeforeTheFirstTrial(@TempDir Path dir) throws Exception {
        // a real full file system where the machine lets a test mount one; else this test says so and is skipped
        Path mount = Files.createDirectories(dir.resolve("small"));
        Process probe = new ProcessBuilder("unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=1m tmpfs \"$0\"",
                mount.toString()).redirectErrorStream(true).start();
        probe.getInputStream().readAllBytes();
        Assumptions.assumeTrue(probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0,
                "this machine does not let a test mount a small tmpfs");
        Path runDir = mount.resolve("run");
        List<String> cmd = new ArrayList<>(List.of("unshare", "-m", "sh", "-c",
                "mount -t tmpfs -o size=1m tmpfs \"$0\" && exec \"$@\"", mount.toString()));
        cmd.addAll(command(dir, runDir, "TPBSample_01", "-p", "batch=1"));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(2, TimeUnit.MINUTES));
        assertEquals(2, p.exitValue(), out);
        assertTrue(out.strip().startsWith("tokenpowerbench: the run folder " + runDir + " has "), out);
        assertTrue(out.contains(" MiB free; a sweep needs 64.0 MiB"), out);
        assertEquals(1, out.strip().lines().count(), out);
    }

    private static long rows(Path runDir, String model) throws IOException {
        try (Stream<String> lines = Files.lines(runDir.resolve("requests.csv"))) {
            return lines.filter(l -> l.contains("model=" + model + " ")).count();
        }
    }

    /** The model parameter of every entry of a JMH JSON result or of summary.json's trials. */
    private static List<String> models(JsonNode results) {
        List<String> out = new ArrayList<>();
        results.forEach(r -> out.add(r.path("params").path("model").asText()));
        return out;
    }

    /** Bit 2 (SIGINT) of this JVM's ignored-signal mask, from {@code /proc/self/status}; false where there is none. */
    private static boolean sigintIgnored() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) {
            return false;
        }
        return Files.readAllLines(status).stream().filter(l -> l.startsWith("SigIgn:"))
                .anyMatch(l -> (Long.parseUnsignedLong(l.substring(7).trim(), 16) & 0b10) != 0);
    }
}
