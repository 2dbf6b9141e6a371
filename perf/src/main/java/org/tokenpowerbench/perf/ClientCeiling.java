package org.tokenpowerbench.perf;

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.tokenpowerbench.client.Api;
import org.tokenpowerbench.client.ContentChunkObserver;
import org.tokenpowerbench.client.Endpoint;
import org.tokenpowerbench.client.RequestTimeline;
import org.tokenpowerbench.client.StreamingClient;
import org.tokenpowerbench.workload.ClosedLoopDriver;
import org.tokenpowerbench.workload.PromptSet;
import org.tokenpowerbench.workload.WaveRecord;

/**
 * The streaming client's ceiling on this machine: how many chunks per second it parses and
 * time-stamps, what each costs in CPU, and how exactly it stamps them. It drives the real path a
 * benchmark uses, {@link ClosedLoopDriver} over {@link StreamingClient}, against loopback servers.
 *
 * <pre>
 *   # (a) bursts: a server (nginx, see tools/client-ceiling/run.sh) returns whole recorded streams at once
 *   java -cp perf/target/perf.jar org.tokenpowerbench.perf.ClientCeiling burst \
 *        url=http://127.0.0.1:18080 streams=1,100,1000 seconds=3 repeats=3
 *   # (b) paced: one event per token every cadence-ms; timestamp error = client arrival - server send
 *   java -cp perf/target/perf.jar org.tokenpowerbench.perf.ClientCeiling paced \
 *        streams=1000 tokens=128 cadence-ms=20,50,100 phase=aligned,spread reader=client,bare,bare-spin [warm-waves=1]
 *   # the static file of (a)
 *   java -cp perf/target/perf.jar org.tokenpowerbench.perf.ClientCeiling write-stream \
 *        out=/tmp/www/v1/completions tokens=256
 * </pre>
 *
 * <p>(a) counts content chunks over each closed-loop wave's duration and divides the process CPU
 * time ({@code com.sun.management.OperatingSystemMXBean}) by them. (b) starts a
 * {@link PacedSseServer} in another JVM, which records {@code System.nanoTime()} before writing
 * each event; {@code nanoTime} is CLOCK_MONOTONIC, one clock for both processes. A chunk's
 * arrival is its timeline's first-token stamp plus the ITLs before it (one token per chunk), the
 * last chunk's own stamp checking the sum. {@code phase=aligned} writes every stream's token on
 * one tick, as an engine's decode step does; {@code spread} spreads the streams over the cadence.
 * {@code reader=bare} and {@code bare-spin} replace the client by {@link BareReader}, the floor
 * that the server, the kernel and the scheduler leave.
 *
 * <p>Every run is bounded: (a) sizes each measured wave from a warm-up's rate to about
 * {@code seconds}, (b) sends {@code streams} requests of {@code tokens} tokens, and a watchdog
 * ends the JVM after {@code max-seconds} whatever happens. Every measured request is checked:
 * succeeded, exactly {@code tokens} content chunks and usage tokens; a run with any other result
 * says INVALID. Results are printed and, with {@code json=FILE}, appended there as JSON lines.
 */
public final class ClientCeiling {

    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private final Map<String, String> args;
    private final PrintStream out = System.out;
    private final String label;
    private final Path jsonOut;

    private ClientCeiling(Map<String, String> args) {
        this.args = args;
        this.label = args.getOrDefault("label", "current");
        this.jsonOut = args.containsKey("json") ? Path.of(args.get("json")) : null;
    }

    public static void main(String[] argv) throws Exception {
        if (argv.length == 0) {
            System.err.println("usage: ClientCeiling burst|paced|write-stream name=value ... (see the class Javadoc)");
            System.exit(2);
        }
        Map<String, String> args = new LinkedHashMap<>();
        for (int i = 1; i < argv.length; i++) {
            int eq = argv[i].indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("arguments are name=value, got '" + argv[i] + "'");
            }
            args.put(argv[i].substring(0, eq).replaceFirst("^--", ""), argv[i].substring(eq + 1));
        }
        long maxSeconds = Long.parseLong(args.getOrDefault("max-seconds", "600"));
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(maxSeconds * 1000);
            } catch (InterruptedException e) {
                return;
            }
            System.err.println("ClientCeiling: max-seconds=" + maxSeconds + " reached; stopping");
            Runtime.getRuntime().halt(3);
        }, "ceiling-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        ClientCeiling c = new ClientCeiling(args);
        switch (argv[0]) {
            case "burst" -> c.burst();
            case "paced" -> c.paced();
            case "write-stream" -> c.writeStream();
            default -> throw new IllegalArgumentException("unknown command '" + argv[0] + "': use burst, paced or write-stream");
        }
        System.exit(0);
    }

    private int intArg(String name, int dflt) {
        return Integer.parseInt(args.getOrDefault(name, String.valueOf(dflt)));
    }

    private double doubleArg(String name, double dflt) {
        return Double.parseDouble(args.getOrDefault(name, String.valueOf(dflt)));
    }

    private static int[] ints(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).mapToInt(Integer::parseInt).toArray();
    }

    private void writeStream() throws IOException {
        Path file = Path.of(args.getOrDefault("out", "stream.sse"));
        int tokens = intArg("tokens", 256);
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        byte[] bytes = RecordedStream.whole(tokens, 7);
        Files.write(file, bytes);
        out.printf(Locale.ROOT, "wrote %s: %d tokens, %d bytes (%.0f bytes per content event)%n", file, tokens,
                bytes.length, (double) bytes.length / tokens);
    }

    // ------------------------------------------------------------------------------------------- (a) bursts

    private void burst() throws IOException {
        String url = args.getOrDefault("url", "http://127.0.0.1:18080");
        int tokens = intArg("tokens", 256);
        double seconds = doubleArg("seconds", 4);
        int repeats = intArg("repeats", 3);
        out.printf(Locale.ROOT, "# burst [%s] %s, %d-token streams, ~%.1f s per wave, %d waves per row, %s, %d CPUs%n",
                label, url, tokens, seconds, repeats, System.getProperty("java.vm.version"),
                Runtime.getRuntime().availableProcessors());
        out.printf(Locale.ROOT, "%-8s %7s %6s %9s %9s %11s %9s %6s %7s %6s %s%n", "label", "streams", "wave", "requests",
                "seconds", "chunks/s", "cpu-us/ch", "cores", "machine", "gc-ms", "check");
        for (int streams : ints(args.getOrDefault("streams", "1,100,1000"))) {
            try (StreamingClient client = new StreamingClient(new Endpoint(url, RecordedStream.MODEL, null, null),
                    Api.COMPLETIONS, streams, Duration.ofSeconds(60));
                 ClosedLoopDriver driver = new ClosedLoopDriver(client, streams)) {
                // warm-up waves for warm-seconds: JIT (C2 takes seconds on 2 cores), connections; the
                // last one's rate sizes the measured waves
                double warmSeconds = doubleArg("warm-seconds", 4);
                int warmRequests = Math.max(streams, streams == 1 ? 200 : 500);
                long warmEnd = System.nanoTime() + (long) (warmSeconds * 1e9);
                Wave warm;
                int warmWaves = 0;
                do {
                    warm = wave(driver, streams, warmRequests, tokens);
                    warmWaves++;
                    warmRequests = (int) Math.max(streams, Math.min(4L * warmRequests,
                            Math.round(warm.chunks / warm.seconds * 0.5 / tokens / streams) * streams));
                } while (warmWaves < 3 || System.nanoTime() < warmEnd);
                double rate = warm.chunks / warm.seconds;
                printWave("warm-" + warmWaves, streams, warm);
                int requests = (int) Math.max(streams, Math.round(rate * seconds / tokens / streams) * streams);
                List<Double> rates = new ArrayList<>();
                List<Double> cpus = new ArrayList<>();
                for (int r = 0; r < repeats; r++) {
                    Wave w = wave(driver, streams, requests, tokens);
                    printWave(String.valueOf(r + 1), streams, w);
                    rates.add(w.chunks / w.seconds);
                    cpus.add(w.cpuNanos / 1e3 / w.chunks);
                    json("burst", streams, w, Map.of("wave", r + 1));
                }
                out.printf(Locale.ROOT, "%-8s %7d %6s %9s %9s %11.0f %9.3f   (median of %d waves)%n", label, streams,
                        "median", "", "", median(rates), median(cpus), repeats);
            }
        }
    }

    /**
     * CPU nanoseconds of this JVM's live Java threads so far: the client's own (its reader threads,
     * where the selector reads and parses, and its answer threads, where OkHttp does and where
     * timelines are finished) and all other Java threads.
     */
    static long[] threadCpu() {
        java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long[] out = new long[2];
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            long ns = mx.getThreadCpuTime(t.getId());
            if (ns >= 0) {
                out[t.getName().startsWith("tpb-reader-") || t.getName().startsWith("tpb-answer-") ? 0 : 1] += ns;
            }
        }
        return out;
    }

    /** One measured closed-loop wave. */
    /**
     * Raw arrival stamps of every content chunk, by prompt index, for the measured paced wave only
     * (warm-up waves run disarmed). Each prompt index is one stream, read by one thread, so its
     * row needs no lock; the wave's end publishes the rows to the analysing thread.
     */
    private static final class ChunkStamps implements ContentChunkObserver {
        private volatile long[][] rows;
        private int[] counts;
        String firstRejected;

        void arm(int streams, int tokens) {
            counts = new int[streams];
            long[][] r = new long[streams][tokens];
            rows = r;
        }

        @Override
        public void onContentChunk(int promptIndex, long arrivalNanos) {
            long[][] r = rows;
            if (r == null || promptIndex < 0 || promptIndex >= r.length) {
                return;
            }
            int c = counts[promptIndex]++;
            if (c < r[promptIndex].length) {
                r[promptIndex][c] = arrivalNanos;
            }
        }

        /** The rows of the streams that succeeded with one chunk per token; the others rejected. */
        Map<Integer, long[]> arrivals(List<RequestTimeline> requests, int tokens) {
            Map<Integer, long[]> out = new HashMap<>();
            for (RequestTimeline t : requests) {
                int p = t.promptIndex();
                boolean whole = t.succeeded() && t.contentChunks() == tokens && t.outputTokens() == tokens
                        && p >= 0 && p < counts.length && counts[p] == tokens
                        && rows[p][tokens - 1] == t.lastTokenNanos() && rows[p][0] == t.firstTokenNanos();
                if (whole) {
                    out.put(p, rows[p]);
                } else if (firstRejected == null) {
                    firstRejected = t.succeeded() ? "chunks=" + t.contentChunks() + " tokens=" + t.outputTokens()
                            + " stamps=" + (p >= 0 && p < counts.length ? counts[p] : -1)
                            : t.errorClass() + ": " + t.error();
                }
            }
            return out;
        }
    }

    private record Wave(int requests, long chunks, double seconds, long cpuNanos, long gcMillis, int gcCount,
                        String check, WaveRecord record, long machineNanos) {
    }

    private Wave wave(ClosedLoopDriver driver, int streams, int requests, int tokens) {
        List<String> p = new ArrayList<>(requests);
        for (int i = 0; i < requests; i++) {
            p.add("p" + i);
        }
        PromptSet prompts = new PromptSet(p, -1, "none");
        long gc0 = gcMillis();
        int gcc0 = gcCount();
        long busy0 = machineBusyNanos();
        long cpu0 = OS.getProcessCpuTime();
        WaveRecord w = driver.run(prompts, tokens);
        long cpu1 = OS.getProcessCpuTime();
        long busy1 = machineBusyNanos();
        long chunks = 0;
        int bad = 0;
        String firstBad = null;
        for (RequestTimeline t : w.requests()) {
            chunks += t.contentChunks();
            if (!t.succeeded() || t.contentChunks() != tokens || t.outputTokens() != tokens) {
                bad++;
                if (firstBad == null) {
                    firstBad = t.succeeded() ? "chunks=" + t.contentChunks() + " tokens=" + t.outputTokens()
                            : t.errorClass() + ": " + t.error();
                }
            }
        }
        String check = bad == 0 ? "ok" : "INVALID: " + bad + " of " + requests + " requests wrong, e.g. " + firstBad;
        return new Wave(requests, chunks, w.seconds(), cpu1 - cpu0, gcMillis() - gc0, gcCount() - gcc0, check, w,
                busy1 - busy0);
    }

    private void printWave(String name, int streams, Wave w) {
        out.printf(Locale.ROOT, "%-8s %7d %6s %9d %9.3f %11.0f %9.3f %6.2f %7.2f %6d %s%n", label, streams, name,
                w.requests, w.seconds, w.chunks / w.seconds, w.cpuNanos / 1e3 / w.chunks, w.cpuNanos / 1e9 / w.seconds,
                w.machineNanos / 1e9 / w.seconds, w.gcMillis, w.check);
    }

    /** CPU time the whole machine spent busy so far (from /proc/stat, Linux), in nanoseconds; -1 elsewhere. */
    static long machineBusyNanos() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            for (int i = 1; i < Math.min(f.length, 9); i++) {
                if (i != 4 && i != 5) { // idle, iowait
                    busy += Long.parseLong(f[i]);
                }
            }
            return busy * 10_000_000L; // USER_HZ = 100
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static long gcMillis() {
        long t = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            t += Math.max(0, gc.getCollectionTime());
        }
        return t;
    }

    private static int gcCount() {
        int c = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            c += (int) Math.max(0, gc.getCollectionCount());
        }
        return c;
    }

    private static double median(List<Double> xs) {
        double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return a.length == 0 ? Double.NaN : a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    // ------------------------------------------------------------------------------------------- (b) paced

    private void paced() throws Exception {
        int streams = intArg("streams", 1000);
        int tokens = intArg("tokens", 128);
        for (String cadence : args.getOrDefault("cadence-ms", "50").split(",")) {
            double cadenceMs = Double.parseDouble(cadence.trim());
            out.printf(Locale.ROOT, "# paced [%s] %d streams x %d tokens, one event every %.1f ms per stream (%.0f events/s),"
                            + " %s, %d CPUs%n", label, streams, tokens, cadenceMs, streams * 1000 / cadenceMs,
                    System.getProperty("java.vm.version"), Runtime.getRuntime().availableProcessors());
            out.printf(Locale.ROOT, "%-10s %-8s %7s %9s %9s %9s %9s %9s %9s %8s %9s %7s %s%n", "label", "phase", "streams",
                    "chunks/s", "err-p50", "err-p99", "err-p99.9", "err-max", "first-p99", "cpu-us/ch", "srv-cores",
                    "machine", "check (errors in us)");
            for (String reader : args.getOrDefault("reader", "client").split(",")) {
                for (String phase : args.getOrDefault("phase", "aligned,spread").split(",")) {
                    pacedRun(phase.trim(), streams, tokens, cadenceMs, reader.trim());
                }
            }
        }
    }

    private void pacedRun(String phase, int streams, int tokens, double cadenceMs, String reader) throws Exception {
        Path dump = Files.createTempFile("tpb-paced-", ".bin");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        double streamSeconds = tokens * cadenceMs / 1000;
        long serverLimit = (long) Math.ceil(30 + 3 * streamSeconds);
        List<String> command = new ArrayList<>();
        if (args.containsKey("server-cpus")) {
            command.addAll(List.of("taskset", "-c", args.get("server-cpus"))); // e.g. to keep it off the client's CPU
        }
        command.addAll(List.of(java, "-XX:+UseSerialGC", "-Xms256m", "-Xmx256m", "-cp",
                System.getProperty("java.class.path"), PacedSseServer.class.getName(), "cadence-ms=" + cadenceMs,
                "phase=" + phase, "dump=" + dump, "max-seconds=" + serverLimit));
        Process server = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            String line = r.readLine();
            if (line == null || !line.startsWith("PORT ")) {
                throw new IllegalStateException("the paced server did not start: " + line);
            }
            int port = Integer.parseInt(line.substring(5).trim());
            String url = "http://127.0.0.1:" + port;
            Wave w;
            Map<Integer, long[]> arrivals;
            int rejected = 0;
            String firstRejected = null;
            boolean firstPhase = phase.equals(args.getOrDefault("phase", "aligned,spread").split(",")[0].trim());
            if (reader.startsWith("bare")) {
                BareReader bare = new BareReader(reader.equals("bare-spin"));
                long[] startEnd = new long[2];
                bare.run(port, streams, Math.min(tokens, 32), 1_000_000, startEnd); // warm-up
                long cpu0 = OS.getProcessCpuTime();
                long busy0 = machineBusyNanos();
                arrivals = bare.run(port, streams, tokens, 0, startEnd);
                long busy1 = machineBusyNanos();
                long cpu1 = OS.getProcessCpuTime();
                long chunks = (long) arrivals.size() * tokens;
                double seconds = (startEnd[1] - startEnd[0]) / 1e9;
                w = new Wave(streams, chunks, seconds, cpu1 - cpu0, 0, 0, "", null, busy1 - busy0);
                if (firstPhase) {
                    out.println("# reader: " + reader + " (BareReader: counts event ends, parses nothing)");
                }
            } else {
                ChunkStamps stamps = new ChunkStamps();
                try (StreamingClient client = new StreamingClient(new Endpoint(url, RecordedStream.MODEL, null, null),
                        Api.COMPLETIONS, streams, Duration.ofSeconds((long) (60 + 2 * streamSeconds)), stamps);
                     ClosedLoopDriver driver = new ClosedLoopDriver(client, streams)) {
                    // warm-up: the same streams, short, with prompts numbered apart from the measured ones;
                    // warm-waves=N for more (a benchmark's JMH warm-up iterations do the same for it)
                    for (int k = 0; k < intArg("warm-waves", 1); k++) {
                        wavePrefixed(driver, streams, Math.min(tokens, 32), 1_000_000 * (k + 1));
                    }
                    stamps.arm(streams, tokens);
                    w = wavePrefixed(driver, streams, tokens, 0);
                }
                arrivals = stamps.arrivals(w.record.requests(), tokens);
                rejected = streams - arrivals.size();
                firstRejected = stamps.firstRejected;
            }
            try (Socket s = new Socket("127.0.0.1", port)) {
                OutputStream o = s.getOutputStream();
                o.write("POST /shutdown HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                o.flush();
                s.getInputStream().readAllBytes();
            }
            if (!server.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the paced server did not stop");
            }
            Map<Integer, long[]> sends = new HashMap<>();
            long serverCpu;
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(dump), 1 << 16))) {
                int n = in.readInt();
                for (int i = 0; i < n; i++) {
                    int prompt = in.readInt();
                    long[] t = new long[in.readInt()];
                    for (int k = 0; k < t.length; k++) {
                        t[k] = in.readLong();
                    }
                    sends.put(prompt, t);
                }
                serverCpu = in.readLong();
            }
            analyse(phase, streams, tokens, cadenceMs, reader, w, sends, serverCpu, arrivals, rejected, firstRejected);
        } finally {
            server.destroy();
            Files.deleteIfExists(dump);
        }
    }

    private Wave wavePrefixed(ClosedLoopDriver driver, int streams, int tokens, int base) {
        List<String> p = new ArrayList<>(streams);
        for (int i = 0; i < streams; i++) {
            p.add("p" + (base + i));
        }
        long gc0 = gcMillis();
        int gcc0 = gcCount();
        long busy0 = machineBusyNanos();
        long[] threads0 = threadCpu();
        long cpu0 = OS.getProcessCpuTime();
        WaveRecord w = driver.run(new PromptSet(p, -1, "none"), tokens);
        long cpu1 = OS.getProcessCpuTime();
        long[] threads1 = threadCpu();
        long busy1 = machineBusyNanos();
        if (base == 0) {
            double chunksAll = Math.max(1, w.requests().stream().mapToLong(RequestTimeline::contentChunks).sum());
            long workerNs = threads1[0] - threads0[0];
            long otherNs = threads1[1] - threads0[1];
            long jvmNs = (cpu1 - cpu0) - workerNs - otherNs;
            out.printf(Locale.ROOT, "#   client CPU per chunk: client threads %.2f us, other Java threads %.2f us,"
                    + " JVM (GC, JIT) %.2f us%n", workerNs / 1e3 / chunksAll, otherNs / 1e3 / chunksAll, jvmNs / 1e3 / chunksAll);
        }
        long chunks = w.requests().stream().mapToLong(RequestTimeline::contentChunks).sum();
        return new Wave(streams, chunks, w.seconds(), cpu1 - cpu0, gcMillis() - gc0, gcCount() - gcc0, "", w, busy1 - busy0);
    }

    /**
     * The error of every chunk: its arrival stamp (raw, from the client's chunk observer or the
     * bare reader) minus the server's send stamp of the same token.
     *
     * @param rejected      streams left out before this (failed, or not one chunk per token)
     * @param firstRejected why the first of them was left out, or null
     */
    private void analyse(String phase, int streams, int tokens, double cadenceMs, String reader, Wave w,
                         Map<Integer, long[]> sends, long serverCpu, Map<Integer, long[]> arrivals,
                         int rejected, String firstRejected) {
        long[] errors = new long[streams * tokens];
        long[] sentAt = new long[streams * tokens];
        long[] first = new long[streams];
        int n = 0;
        int nf = 0;
        int bad = rejected;
        String firstBad = firstRejected;
        long negative = 0;
        long origin = Long.MAX_VALUE;
        for (long[] sent : sends.values()) {
            origin = Math.min(origin, sent.length > 0 ? sent[0] : Long.MAX_VALUE);
        }
        for (Map.Entry<Integer, long[]> a : arrivals.entrySet()) {
            long[] sent = sends.get(a.getKey());
            if (sent == null || sent.length != tokens) {
                bad++;
                if (firstBad == null) {
                    firstBad = "prompt " + a.getKey() + " sends=" + (sent == null ? "none" : sent.length);
                }
                continue;
            }
            for (int k = 0; k < tokens; k++) {
                long e = a.getValue()[k] - sent[k];
                negative += e < 0 ? 1 : 0;
                sentAt[n] = sent[k] - origin;
                errors[n++] = e;
                if (k == 0) {
                    first[nf++] = e;
                }
            }
        }
        bad += streams - rejected - arrivals.size();
        if (Boolean.parseBoolean(args.getOrDefault("detail", "false"))) {
            detail(Arrays.copyOf(errors, n), Arrays.copyOf(sentAt, n), w);
        }
        long[] e = Arrays.copyOf(errors, n);
        Arrays.sort(e);
        long[] f = Arrays.copyOf(first, nf);
        Arrays.sort(f);
        String check = bad == 0 ? "ok" : "INVALID: " + bad + " requests wrong, e.g. " + firstBad;
        if (negative > 0) {
            check += "; " + negative + " negative errors (a chunk stamped before it was sent?)";
        }
        double cpuPerChunk = w.cpuNanos / 1e3 / Math.max(1, w.chunks);
        out.printf(Locale.ROOT, "%-10s %-8s %7d %9.0f %9.1f %9.1f %9.1f %9.1f %9.1f %8.2f %9.2f %7.2f %s%n",
                reader.equals("client") ? label : reader, phase,
                streams, w.chunks / w.seconds, pct(e, 50) / 1e3, pct(e, 99) / 1e3, pct(e, 99.9) / 1e3,
                e.length == 0 ? Double.NaN : e[e.length - 1] / 1e3, pct(f, 99) / 1e3, cpuPerChunk,
                serverCpu / 1e9 / Math.max(1e-9, w.seconds), w.machineNanos / 1e9 / w.seconds, check);
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("phase", phase);
        extra.put("cadence_ms", cadenceMs);
        extra.put("reader", reader);
        extra.put("err_p50_us", pct(e, 50) / 1e3);
        extra.put("err_p99_us", pct(e, 99) / 1e3);
        extra.put("err_p999_us", pct(e, 99.9) / 1e3);
        extra.put("err_max_us", e.length == 0 ? Double.NaN : e[e.length - 1] / 1e3);
        extra.put("first_err_p99_us", pct(f, 99) / 1e3);
        extra.put("samples", e.length);
        json("paced", streams, new Wave(w.requests, w.chunks, w.seconds, w.cpuNanos, w.gcMillis, w.gcCount, check, null,
                w.machineNanos), extra);
    }

    /** The error by second of the wave (when the server sent), to see where a tail comes from. */
    private void detail(long[] errors, long[] sentAt, Wave w) {
        int buckets = (int) (w.seconds + 1);
        List<List<Long>> by = new ArrayList<>();
        for (int i = 0; i < buckets; i++) {
            by.add(new ArrayList<>());
        }
        for (int i = 0; i < errors.length; i++) {
            int b = (int) Math.max(0, Math.min(buckets - 1, sentAt[i] / 1_000_000_000L));
            by.get(b).add(errors[i]);
        }
        out.printf(Locale.ROOT, "   second  events   p50-us   p99-us  p99.9-us   max-us%n");
        for (int i = 0; i < buckets; i++) {
            long[] x = by.get(i).stream().mapToLong(Long::longValue).sorted().toArray();
            if (x.length > 0) {
                out.printf(Locale.ROOT, "   %6d %7d %8.1f %8.1f %9.1f %8.1f%n", i, x.length, pct(x, 50) / 1e3, pct(x, 99) / 1e3,
                        pct(x, 99.9) / 1e3, x[x.length - 1] / 1e3);
            }
        }
        out.printf(Locale.ROOT, "   gc: %d collections, %d ms%n", w.gcCount, w.gcMillis);
    }

    /** R-7 percentile of sorted values. */
    private static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        double h = (sorted.length - 1) * p / 100;
        int lo = (int) Math.floor(h);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    private void json(String kind, int streams, Wave w, Map<String, Object> extra) {
        if (jsonOut == null) {
            return;
        }
        StringBuilder sb = new StringBuilder("{");
        sb.append("\"kind\":\"").append(kind).append("\",\"label\":\"").append(label).append("\",\"streams\":").append(streams)
                .append(",\"requests\":").append(w.requests).append(",\"chunks\":").append(w.chunks)
                .append(String.format(Locale.ROOT, ",\"seconds\":%.4f,\"chunks_per_s\":%.1f,\"cpu_us_per_chunk\":%.4f",
                        w.seconds, w.chunks / w.seconds, w.cpuNanos / 1e3 / Math.max(1, w.chunks)))
                .append(String.format(Locale.ROOT, ",\"client_cores\":%.3f,\"machine_busy_cores\":%.3f",
                        w.cpuNanos / 1e9 / w.seconds, w.machineNanos / 1e9 / w.seconds))
                .append(",\"gc_ms\":").append(w.gcMillis).append(",\"check\":\"").append(w.check.replace("\"", "'")).append('"');
        for (Map.Entry<String, Object> x : extra.entrySet()) {
            sb.append(",\"").append(x.getKey()).append("\":");
            Object v = x.getValue();
            sb.append(v instanceof Number ? String.format(Locale.ROOT, "%s", v) : "\"" + v + "\"");
        }
        sb.append("}\n");
        try {
            Files.writeString(jsonOut, sb.toString(), StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
