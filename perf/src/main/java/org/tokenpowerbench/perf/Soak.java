package org.tokenpowerbench.perf;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.tokenpowerbench.power.OptionLine;

/**
 * Whether a long run leaks: starts a command (a sweep, say) and samples every process of its tree
 * (the host JVM and its JMH forks) every {@code every}: resident memory, threads and descriptors,
 * one CSV row per process and sample. At the end it prints, per process, the first and last
 * figures and the least-squares slope of each over the process's samples, so that "flat" is a
 * number. Stops the command's tree after {@code seconds} if it has not ended by then.
 *
 * <pre>
 *   java -cp perf/target/perf.jar org.tokenpowerbench.perf.Soak every=10s seconds=1800 csv=soak.csv -- \
 *        java -jar benchmarks/target/benchmarks.jar TPBSample_01 -p batch=4 -p waveSeconds=30 -wi 1 -i 60 -f 1
 * </pre>
 * Columns: {@code t_s} (since the start), {@code pid}, {@code role} ({@code command} or
 * {@code child}), {@code rss_kb}, {@code threads}, {@code fds}.
 */
public final class Soak {

    private Soak() {
    }

    /** One process's samples, for its slopes. */
    private static final class Series {
        final String role;
        final List<double[]> rows = new ArrayList<>(); // t_s, rss_kb, threads, fds

        Series(String role) {
            this.role = role;
        }
    }

    public static void main(String[] argv) throws Exception {
        int dash = List.of(argv).indexOf("--");
        if (dash < 0 || dash == argv.length - 1) {
            throw new IllegalArgumentException("usage: Soak every=10s seconds=1800 csv=FILE -- COMMAND ARGS...");
        }
        OptionLine options = OptionLine.of("Soak", List.of(argv).subList(0, dash));
        Duration every = options.duration("every", Duration.ofSeconds(10));
        long seconds = Long.parseLong(options.get("seconds", "1800"));
        Path csv = Path.of(options.get("csv", "soak.csv"));
        List<String> command = List.of(argv).subList(dash + 1, argv.length);

        Process p = new ProcessBuilder(command).inheritIO().start();
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        Map<Long, Series> series = new LinkedHashMap<>();
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(csv, StandardCharsets.UTF_8))) {
            out.println("t_s,pid,role,rss_kb,threads,fds");
            while (p.isAlive() && System.nanoTime() < end) {
                double t = (System.nanoTime() - start) / 1e9;
                List<ProcessHandle> tree = new ArrayList<>();
                tree.add(p.toHandle());
                p.toHandle().descendants().forEach(tree::add);
                for (ProcessHandle h : tree) {
                    ProcessFootprint f;
                    try {
                        f = ProcessFootprint.of(h.pid());
                    } catch (NoSuchFileException gone) {
                        continue; // it ended between the listing and the read
                    } catch (IOException e) {
                        continue;
                    }
                    String role = h.pid() == p.pid() ? "command" : "child";
                    out.printf(Locale.ROOT, "%.1f,%d,%s,%d,%d,%d%n", t, h.pid(), role, f.rssKb(), f.threads(), f.fds());
                    series.computeIfAbsent(h.pid(), k -> new Series(role)).rows
                            .add(new double[] {t, f.rssKb(), f.threads(), f.fds()});
                }
                out.flush();
                long next = start + (long) Math.ceil((System.nanoTime() - start) / (double) every.toNanos()) * every.toNanos();
                p.waitFor(Math.max(1, next - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } finally {
            if (p.isAlive()) {
                p.toHandle().descendants().forEach(ProcessHandle::destroy);
                p.destroy();
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                }
            }
        }
        System.out.printf(Locale.ROOT, "# Soak: %s every %s, %.0f s; %s%n", String.join(" ", command), every,
                (System.nanoTime() - start) / 1e9, csv);
        series.forEach((pid, s) -> {
            if (s.rows.size() < 2) {
                return;
            }
            double[] first = s.rows.get(0);
            double[] last = s.rows.get(s.rows.size() - 1);
            System.out.printf(Locale.ROOT, "pid %d (%s), %d samples over %.0f s: RSS %,.0f -> %,.0f KiB (slope %+.1f KiB/min),"
                            + " threads %.0f -> %.0f (%+.2f/min), descriptors %.0f -> %.0f (%+.2f/min)%n",
                    pid, s.role, s.rows.size(), last[0] - first[0], first[1], last[1], 60 * slope(s.rows, 1),
                    first[2], last[2], 60 * slope(s.rows, 2), first[3], last[3], 60 * slope(s.rows, 3));
        });
    }

    /** Least-squares slope of column {@code k} against time (column 0), per second. */
    static double slope(List<double[]> rows, int k) {
        double n = rows.size();
        double st = 0;
        double sy = 0;
        for (double[] r : rows) {
            st += r[0];
            sy += r[k];
        }
        double mt = st / n;
        double my = sy / n;
        double num = 0;
        double den = 0;
        for (double[] r : rows) {
            num += (r[0] - mt) * (r[k] - my);
            den += (r[0] - mt) * (r[0] - mt);
        }
        return den == 0 ? 0 : num / den;
    }
}
