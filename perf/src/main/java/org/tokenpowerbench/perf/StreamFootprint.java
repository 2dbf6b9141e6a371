package org.tokenpowerbench.perf;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.tokenpowerbench.client.Api;
import org.tokenpowerbench.client.Endpoint;
import org.tokenpowerbench.client.RequestTimeline;
import org.tokenpowerbench.client.StreamingClient;
import org.tokenpowerbench.workload.ClosedLoopDriver;
import org.tokenpowerbench.workload.PromptSet;
import org.tokenpowerbench.workload.WaveRecord;

/**
 * What {@code streams} requests in flight at once cost the client: resident memory, threads and
 * descriptors before the wave, at its peak and after it, measured on the path a benchmark uses
 * ({@link ClosedLoopDriver} over {@link StreamingClient}) against a {@link PacedSseServer} in
 * another JVM, which holds every stream open for {@code tokens} events at {@code cadence-ms}.
 *
 * <pre>
 *   java -Xmx512m -cp perf/target/perf.jar org.tokenpowerbench.perf.StreamFootprint streams=10000 tokens=20 cadence-ms=250
 * </pre>
 * Peak figures are sampled every 50 ms while the wave runs ({@code peak RSS} also from the
 * kernel's high-water mark). Every request must succeed with {@code tokens} chunks, else the run
 * says INVALID. Bounded: the server stops itself after {@code max-seconds}.
 */
public final class StreamFootprint {

    private StreamFootprint() {
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new LinkedHashMap<>();
        for (String a : argv) {
            int eq = a.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("'" + a + "' is not name=value: use streams=, tokens=, cadence-ms=, max-seconds=");
            }
            args.put(a.substring(0, eq), a.substring(eq + 1));
        }
        int streams = Integer.parseInt(args.getOrDefault("streams", "10000"));
        int tokens = Integer.parseInt(args.getOrDefault("tokens", "20"));
        double cadenceMs = Double.parseDouble(args.getOrDefault("cadence-ms", "250"));
        long maxSeconds = Long.parseLong(args.getOrDefault("max-seconds", "300"));

        Path dump = Files.createTempFile("tpb-footprint-", ".bin");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-Xmx1g", "-cp", System.getProperty("java.class.path"), PacedSseServer.class.getName(),
                "cadence-ms=" + cadenceMs, "phase=spread", "dump=" + dump, "max-seconds=" + maxSeconds));
        Process server = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            String line = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8)).readLine();
            if (line == null || !line.startsWith("PORT ")) {
                throw new IllegalStateException("the paced server did not start: " + line);
            }
            int port = Integer.parseInt(line.substring(5).trim());
            run(port, streams, tokens, cadenceMs);
            try (Socket s = new Socket("127.0.0.1", port)) {
                OutputStream o = s.getOutputStream();
                o.write("POST /shutdown HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                o.flush();
                s.getInputStream().readAllBytes();
            }
            server.waitFor(30, TimeUnit.SECONDS);
        } finally {
            server.destroyForcibly();
            Files.deleteIfExists(dump);
        }
    }

    private static void run(int port, int streams, int tokens, double cadenceMs) throws Exception {
        List<String> p = new ArrayList<>(streams);
        for (int i = 0; i < streams; i++) {
            p.add("p" + i);
        }
        PromptSet prompts = new PromptSet(p, -1, "none");
        Runtime rt = Runtime.getRuntime();
        System.out.printf(Locale.ROOT, "# StreamFootprint: %d streams x %d events every %.0f ms, %s, %d CPUs, max heap %d MiB%n",
                streams, tokens, cadenceMs, System.getProperty("java.vm.version"), rt.availableProcessors(),
                rt.maxMemory() >> 20);
        System.gc();
        ProcessFootprint before = ProcessFootprint.ofThisProcess();
        print("before", before, heapMib());
        ProcessFootprint[] peak = {before};
        long[] peakHeap = {heapMib()};
        WaveRecord wave;
        long started;
        long ended;
        try (StreamingClient client = new StreamingClient(new Endpoint("http://127.0.0.1:" + port, RecordedStream.MODEL,
                null, null), Api.COMPLETIONS, streams, Duration.ofSeconds(600));
             ClosedLoopDriver driver = new ClosedLoopDriver(client, streams)) {
            Thread sampler = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    try {
                        ProcessFootprint now = ProcessFootprint.ofThisProcess();
                        synchronized (peak) {
                            peak[0] = peak[0].max(now);
                            peakHeap[0] = Math.max(peakHeap[0], heapMib());
                        }
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            }, "footprint-sampler");
            sampler.setDaemon(true);
            sampler.start();
            started = System.nanoTime();
            wave = driver.run(prompts, tokens);
            ended = System.nanoTime();
            sampler.interrupt();
            sampler.join();
        }
        synchronized (peak) {
            print("peak", peak[0], peakHeap[0]);
        }
        System.gc();
        Thread.sleep(500);
        print("after", ProcessFootprint.ofThisProcess(), heapMib());
        long ok = wave.requests().stream().filter(r -> r.succeeded() && r.contentChunks() == tokens).count();
        String first = wave.requests().stream().filter(r -> !r.succeeded()).map(r -> r.errorClass() + ": " + r.error())
                .findFirst().orElse("");
        long retries = wave.requests().stream().mapToLong(RequestTimeline::retries).sum();
        synchronized (peak) {
            System.out.printf(Locale.ROOT, "# wave %.1f s, %d of %d requests whole%s; per stream at the peak: %.1f KiB"
                            + " resident beyond 'before', %.2f threads, %.2f descriptors; retries %d%n",
                    (ended - started) / 1e9, ok, streams, ok == streams ? "" : " INVALID (" + first + ")",
                    (peak[0].rssKb() - before.rssKb()) / (double) streams,
                    (peak[0].threads() - before.threads()) / (double) streams,
                    (peak[0].fds() - before.fds()) / (double) streams, retries);
        }
    }

    private static long heapMib() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 20;
    }

    private static void print(String when, ProcessFootprint f, long heapMib) {
        System.out.printf(Locale.ROOT, "%-7s RSS %,8d KiB (high-water %,8d KiB)  threads %,6d  descriptors %,6d  heap used %,5d MiB%n",
                when, f.rssKb(), f.peakRssKb(), f.threads(), f.fds(), heapMib);
    }
}
