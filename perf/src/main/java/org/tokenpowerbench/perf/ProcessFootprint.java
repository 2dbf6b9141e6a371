package org.tokenpowerbench.perf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * What a process holds at one moment, as Linux's {@code /proc/<pid>} says: resident memory (now and
 * its peak), threads and open descriptors. For the tools that measure what streams cost
 * ({@link StreamFootprint}) and whether a long run leaks.
 *
 * @param rssKb     resident set, KiB ({@code VmRSS})
 * @param peakRssKb the most it has been resident, KiB ({@code VmHWM})
 * @param threads   threads of the process
 * @param fds       open file descriptors (sockets included)
 */
record ProcessFootprint(long rssKb, long peakRssKb, int threads, int fds) {

    /** This process. */
    static ProcessFootprint ofThisProcess() throws IOException {
        return of(ProcessHandle.current().pid());
    }

    /** Process {@code pid}; throws {@link NoSuchFileException} once it has ended. */
    static ProcessFootprint of(long pid) throws IOException {
        Path proc = Path.of("/proc", Long.toString(pid));
        long rss = -1;
        long hwm = -1;
        int threads = -1;
        for (String line : Files.readAllLines(proc.resolve("status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = kib(line);
            } else if (line.startsWith("VmHWM:")) {
                hwm = kib(line);
            } else if (line.startsWith("Threads:")) {
                threads = Integer.parseInt(line.substring("Threads:".length()).trim());
            }
        }
        int fds;
        try (Stream<Path> open = Files.list(proc.resolve("fd"))) {
            fds = (int) open.count();
        }
        return new ProcessFootprint(rss, hwm, threads, fds);
    }

    private static long kib(String line) {
        String v = line.substring(line.indexOf(':') + 1).trim();
        return Long.parseLong(v.substring(0, v.indexOf(' ')));
    }

    /** The larger of each figure. */
    ProcessFootprint max(ProcessFootprint o) {
        return new ProcessFootprint(Math.max(rssKb, o.rssKb), Math.max(peakRssKb, o.peakRssKb),
                Math.max(threads, o.threads), Math.max(fds, o.fds));
    }
}
