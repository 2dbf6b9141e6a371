package org.tokenpowerbench.client;

import java.lang.management.ManagementFactory;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.util.Locale;
import org.tokenpowerbench.perf.RecordedStream;

/**
 * The client's parsing alone, without HTTP or threads: the recorded 256-token stream of
 * {@code ClientCeiling} fed from memory, in reads of {@code read-bytes}, through {@link SseParser}
 * and the stream recorder to a {@link RequestTimeline}, on one thread. What is left of
 * {@code ClientCeiling burst}'s CPU per chunk beyond this is HTTP, I/O and threads.
 *
 * <pre>
 *   java -cp perf/target/perf.jar org.tokenpowerbench.client.ParseCost seconds=5 read-bytes=8192
 * </pre>
 * It lives in the client's package (in perf.jar) to reach the package-private recorder,
 * and finds the parser's constructor by reflection so that it runs over older clients too (see
 * {@code VARIANTS} in tools/client-ceiling/run.sh).
 */
public final class ParseCost {

    private ParseCost() {
    }

    public static void main(String[] args) throws Exception {
        double seconds = 5;
        int readBytes = 8192;
        String label = "current";
        for (String a : args) {
            String v = a.substring(a.indexOf('=') + 1);
            if (a.startsWith("seconds=")) {
                seconds = Double.parseDouble(v);
            } else if (a.startsWith("read-bytes=")) {
                readBytes = Integer.parseInt(v);
            } else if (a.startsWith("label=")) {
                label = v;
            }
        }
        int tokens = 256;
        byte[] stream = RecordedStream.whole(tokens, 7);
        Constructor<?> parserCtor = null;
        for (Constructor<?> c : SseParser.class.getDeclaredConstructors()) {
            if (c.getParameterCount() == 1 && c.getParameterTypes()[0].isAssignableFrom(StreamRecorder.class)) {
                parserCtor = c;
            }
        }
        if (parserCtor == null) {
            throw new IllegalStateException("no SseParser constructor takes a StreamRecorder");
        }
        parserCtor.setAccessible(true);
        Method feed = null;
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        // warm-up, then measure
        for (int phase = 0; phase < 2; phase++) {
            long end = System.nanoTime() + (long) ((phase == 0 ? Math.max(2, seconds / 2) : seconds) * 1e9);
            long streams = 0;
            long chunks = 0;
            long cpu0 = threads.getCurrentThreadCpuTime();
            long alloc0 = threads.getCurrentThreadAllocatedBytes();
            long t0 = System.nanoTime();
            while (System.nanoTime() < end) {
                for (int rep = 0; rep < 20; rep++) {
                    StreamRecorder recorder = new StreamRecorder(Api.COMPLETIONS);
                    SseParser parser = (SseParser) parserCtor.newInstance(recorder);
                    for (int off = 0; off < stream.length; off += readBytes) {
                        parser.feed(stream, off, Math.min(readBytes, stream.length - off), System.nanoTime());
                    }
                    parser.finish(System.nanoTime());
                    RequestTimeline t = recorder.toTimeline(0, 0, 0, 0, System.nanoTime(), tokens, null, "p");
                    if (t.contentChunks() != tokens || t.outputTokens() != tokens || !t.succeeded()) {
                        throw new IllegalStateException("wrong timeline: " + t);
                    }
                    chunks += t.contentChunks();
                    streams++;
                }
            }
            long t1 = System.nanoTime();
            long cpu = threads.getCurrentThreadCpuTime() - cpu0;
            long alloc = threads.getCurrentThreadAllocatedBytes() - alloc0;
            if (phase == 1) {
                System.out.printf(Locale.ROOT, "parse-only [%s] %d streams, %d chunks, reads of %d bytes: %.0f ns CPU per chunk,"
                                + " %.0f chunks/s on one thread, %.0f bytes allocated per chunk%n", label, streams, chunks,
                        readBytes, (double) cpu / chunks, chunks / ((t1 - t0) / 1e9), (double) alloc / chunks);
            }
        }
    }
}
