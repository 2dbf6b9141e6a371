package org.tokenpowerbench.benchmarks.client;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.tokenpowerbench.benchmarks.RecordedStream;
import org.tokenpowerbench.client.Api;
import org.tokenpowerbench.client.RequestTimeline;
import org.tokenpowerbench.client.StreamReplay;

/**
 * The client's parsing alone, without HTTP or threads: the recorded 256-token stream of
 * {@code ClientCeiling} fed from memory, in reads of {@code read-bytes}, through the client's SSE
 * parser and stream recorder ({@link StreamReplay}, the path {@code StreamingClient} runs) to a
 * {@link RequestTimeline}, on one thread. What is left of {@code ClientCeiling burst}'s CPU per chunk
 * beyond this is HTTP, I/O and threads.
 *
 * <pre>
 *   java -cp benchmarks/target/benchmarks.jar org.tokenpowerbench.benchmarks.client.ParseCost seconds=5 read-bytes=8192
 * </pre>
 * {@code readers=jackson,hand rounds=3} alternates the client's two chunk readers in this one JVM
 * (through the {@code tpb.chunk-reader} system property), so that their costs are compared under the
 * same machine state, round by round; the last line gives each reader's median.
 */
public final class ParseCost {

    private static final int TOKENS = 256;

    private ParseCost() {
    }

    public static void main(String[] args) {
        double seconds = 5;
        int readBytes = 8192;
        String label = "current";
        String[] readers = {""};
        int rounds = 1;
        for (String a : args) {
            String v = a.substring(a.indexOf('=') + 1);
            if (a.startsWith("seconds=")) {
                seconds = Double.parseDouble(v);
            } else if (a.startsWith("read-bytes=")) {
                readBytes = Integer.parseInt(v);
            } else if (a.startsWith("label=")) {
                label = v;
            } else if (a.startsWith("readers=")) {
                readers = v.split(",");
            } else if (a.startsWith("rounds=")) {
                rounds = Integer.parseInt(v);
            } else {
                throw new IllegalArgumentException("unknown argument '" + a
                        + "': use seconds=, read-bytes=, label=, readers=jackson,hand, rounds=");
            }
        }
        byte[] stream = RecordedStream.whole(TOKENS, 7);
        Map<String, List<Double>> cpuPerChunk = new LinkedHashMap<>();
        for (int round = 0; round < rounds; round++) {
            for (String reader : readers) {
                if (!reader.isEmpty()) {
                    System.setProperty("tpb.chunk-reader", reader);
                }
                String name = reader.isEmpty() ? label : label + "/" + reader;
                // a warm-up before every measurement: the JIT's state stays comparable across readers
                measure(stream, readBytes, round == 0 ? Math.max(2, seconds / 2) : 1);
                double[] m = measure(stream, readBytes, seconds);
                System.out.printf(Locale.ROOT, "parse-only [%s] round %d: %.0f streams, %.0f chunks, reads of %d bytes:"
                                + " %.0f ns CPU per chunk, %.0f chunks/s on one thread, %.0f bytes allocated per chunk%n",
                        name, round + 1, m[0], m[1], readBytes, m[2], m[3], m[4]);
                cpuPerChunk.computeIfAbsent(name, k -> new ArrayList<>()).add(m[2]);
            }
        }
        if (rounds > 1) {
            StringBuilder line = new StringBuilder("parse-only medians over " + rounds + " rounds:");
            cpuPerChunk.forEach((name, v) -> line.append(String.format(Locale.ROOT, " [%s] %.0f ns", name, median(v))));
            System.out.println(line);
        }
    }

    /** Streams, chunks, CPU ns per chunk, chunks per second, bytes allocated per chunk. */
    private static double[] measure(byte[] stream, int readBytes, double seconds) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long end = System.nanoTime() + (long) (seconds * 1e9);
        long streams = 0;
        long chunks = 0;
        long cpu0 = threads.getCurrentThreadCpuTime();
        long alloc0 = threads.getCurrentThreadAllocatedBytes();
        long t0 = System.nanoTime();
        while (System.nanoTime() < end) {
            for (int rep = 0; rep < 20; rep++) {
                StreamReplay replay = new StreamReplay(Api.COMPLETIONS);
                for (int off = 0; off < stream.length; off += readBytes) {
                    replay.feed(stream, off, Math.min(readBytes, stream.length - off), System.nanoTime());
                }
                RequestTimeline t = replay.finish(0, System.nanoTime(), TOKENS);
                if (t.contentChunks() != TOKENS || t.outputTokens() != TOKENS || !t.succeeded()) {
                    throw new IllegalStateException("wrong timeline: " + t);
                }
                chunks += t.contentChunks();
                streams++;
            }
        }
        long t1 = System.nanoTime();
        long cpu = threads.getCurrentThreadCpuTime() - cpu0;
        long alloc = threads.getCurrentThreadAllocatedBytes() - alloc0;
        return new double[] {streams, chunks, (double) cpu / chunks, chunks / ((t1 - t0) / 1e9), (double) alloc / chunks};
    }

    private static double median(List<Double> values) {
        List<Double> v = new ArrayList<>(values);
        v.sort(null);
        int n = v.size();
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }
}
