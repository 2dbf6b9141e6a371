import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The process's CPU time thread by thread, from Linux's {@code /proc/self/task}: so that the cost
 * tool can say where the process's CPU above idle went beside the sampling's own (the JIT's
 * compiler threads, the collector, the main thread's loop, the sampler's threads), rather than
 * guess. Each thread's time is the first field of its {@code schedstat} (nanoseconds on a CPU; a
 * kernel without scheduler statistics has none, and then nothing is printed, as off Linux). Threads are
 * grouped by their name less a trailing number ({@code GC Thread#0} and {@code #1} are one group);
 * the JVM gives a Java thread's native thread its name, cut to 15 characters. A thread that ended
 * between two snapshots is missing from the second, and one that began and ended between them from
 * both (the cost tool's sampler threads, one a wave): the line gives their time as what the
 * process's CPU holds beyond the threads seen. Off Linux every snapshot is empty and nothing is printed.
 */
final class ThreadCpuByName {

    private ThreadCpuByName() {
    }

    /** Each live thread's CPU nanoseconds, keyed by its id and name ({@code "tid\tname"}). */
    static Map<String, Long> now() {
        Map<String, Long> cpu = new HashMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                try {
                    String name = Files.readString(task.resolve("comm")).strip();
                    cpu.put(task.getFileName() + "\t" + name, cpuNanos(task));
                } catch (IOException | RuntimeException gone) {
                    // the thread ended while it was read
                }
            }
        } catch (IOException | RuntimeException noProc) {
            return Map.of();
        }
        return cpu;
    }

    private static long cpuNanos(Path task) throws IOException {
        return Long.parseLong(Files.readString(task.resolve("schedstat")).strip().split("\\s+")[0]);
    }

    /**
     * The CPU each group of threads used from {@code before} to {@code after}, in ms per second of
     * {@code seconds}, the largest first (the six largest, then the rest together), all of them, and
     * what the process's CPU over the same time ({@code processNanos}) holds beyond them.
     */
    static String between(Map<String, Long> before, Map<String, Long> after, double seconds, long processNanos) {
        Map<String, Long> byGroup = new HashMap<>();
        long all = 0;
        for (Map.Entry<String, Long> e : after.entrySet()) {
            long used = Math.max(0, e.getValue() - before.getOrDefault(e.getKey(), 0L));
            String name = e.getKey().substring(e.getKey().indexOf('\t') + 1);
            byGroup.merge(group(name), used, Long::sum);
            all += used;
        }
        int ended = 0;
        for (String key : before.keySet()) {
            if (!after.containsKey(key)) {
                ended++;
            }
        }
        List<Map.Entry<String, Long>> groups = new ArrayList<>(byGroup.entrySet());
        groups.sort((x, y) -> Long.compare(y.getValue(), x.getValue()));
        StringBuilder line = new StringBuilder();
        long rest = 0;
        for (int i = 0; i < groups.size(); i++) {
            if (i < 6) {
                line.append(String.format(Locale.ROOT, "%s %.2f, ", groups.get(i).getKey(),
                        groups.get(i).getValue() / 1e6 / seconds));
            } else {
                rest += groups.get(i).getValue();
            }
        }
        if (rest > 0) {
            line.append(String.format(Locale.ROOT, "%d others %.2f, ", groups.size() - 6, rest / 1e6 / seconds));
        }
        line.append(String.format(Locale.ROOT, "all threads seen %.2f; threads not seen at the end (%d of those"
                + " seen at the start, and any begun and ended in between) %.2f", all / 1e6 / seconds, ended,
                (processNanos - all) / 1e6 / seconds));
        return line.toString();
    }

    /** A thread's name less a trailing number ({@code GC Thread#3}, {@code pool-1-thread-2}): one group for a pool's threads. */
    static String group(String name) {
        String g = name.replaceAll("[#-]?[0-9]+$", "").strip();
        return g.isEmpty() ? name : g;
    }
}
