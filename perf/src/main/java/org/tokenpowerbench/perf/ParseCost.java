package org.tokenpowerbench.perf;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
 * {@code rounds=3} measures three times (each after a short warm-up) and gives the median: on this
 * project's 2-CPU machine one measurement moves by ±25 % from run to run.
 */
public final class ParseCost {

    private static final int TOKENS = 256;

    private ParseCost() {
    }

    public static void main(String[] args) {
        double seconds = 5;
        int readBytes = 8192;
        String label = "current";
        int rounds = 1;
        for (String a : args) {
            String v = a.substring(a.indexOf('=') + 1);
            if (a.startsWith("seconds=")) {
                seconds = Double.parseDouble(v);
            } else if (a.startsWith("read-bytes=")) {
                readBytes = Integer.parseInt(v);
            } else if (a.startsWith("label=")) {
                label = v;
            } else if (a.startsWith("rounds=")) {
                rounds = Integer.parseInt(v);
            } else {
                throw new IllegalArgumentException("unknown argument '" + a
                        + "': use seconds=, read-bytes=, label=, rounds=");
            }
        }
        byte[] stream = RecordedStream.whole(TOKENS, 7);
        List<Double> cpuPerChunk = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            measure(stream, readBytes, round == 0 ? Math.max(2, seconds / 2) : 1); // warm-up
            double[] m = measure(stream, readBytes, seconds);
            System.out.printf(Locale.ROOT, "parse-only [%s] round %d: %.0f streams, %.0f chunks, reads of %d bytes:"
                            + " %.0f ns CPU per chunk, %.0f chunks/s on one thread, %.0f bytes allocated per chunk%n",
                    label, round + 1, m[0], m[1], readBytes, m[2], m[3], m[4]);
            cpuPerChunk.add(m[2]);
        }
        if (rounds > 1) {
            System.out.printf(Locale.ROOT, "parse-only [%s] median over %d rounds: %.0f ns CPU per chunk%n",
                    label, rounds, median(cpuPerChunk));
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
