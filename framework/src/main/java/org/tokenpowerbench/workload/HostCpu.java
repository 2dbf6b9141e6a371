package org.tokenpowerbench.workload;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Who used the host's CPUs during a wave: all of it, this JVM, the engine's processes where the
 * benchmark launched it (the launched one and those it started), everything else, and the time the hypervisor gave to other guests
 * (steal). Two reads of Linux's {@code /proc/stat} (and {@code /proc/<pid>/stat}), one at each end
 * of the wave.
 *
 * <p>Why: an engine whose own CPU work paces its decode (kernel launches, sampling, batching; a
 * small model at a few ms a token) runs slower on a host that is busy with something else, or
 * whose vCPUs are stolen, and its joules per token rise with it: the GPU draws its idle power for
 * longer. On an H200 twelve reruns of one point over ten minutes drew the same energy above idle
 * per wave (226-232 J) while TPOT rose from 8.3 to 12.2 ms, and nothing the run recorded said why
 * (docs/gpu-proof.md, session 14). These figures are what would, and on an H100 host they did:
 * over six reruns (54 measured waves) the wave's TPOT p50 followed the host's steal (correlation
 * 0.88; median 10.3 ms in waves with under 0.25 % of all CPU time stolen, 12.3 ms at 1-2 %, 15.5 ms
 * above 4 %; docs/gpu-proof.md, session 17), hence {@link Reading#stealWarning()}. On another H100
 * host, stolen throughout (session 20), sixteen reruns fell into a fast and a slow group that the
 * host-wide steal did not tell apart (1.38-3.66 % against 1.69-4.79 %): an engine paced by one thread
 * slows when that thread's vCPU is stolen, which a share of all vCPUs dilutes. So each wave also
 * records the most stolen vCPU's share and the share of the vCPU the engine's busiest thread was on
 * (from {@code /proc/<pid>/task/<tid>/stat}, at the wave's end only), and of that thread how much of
 * one CPU it used (near all of it: the engine is paced by one core, so by that core's speed) and what
 * share of its runnable time it waited for a CPU inside this guest ({@code schedstat}), contention that
 * no steal figure shows.
 *
 * <p>Shares are of every CPU the host lists over the wave's wall time (1: all busy the whole wave),
 * as the kernel counts them in clock ticks; this JVM's is its process CPU time over wall time and
 * those CPUs. In a container limited to fewer cores the host's other work shows as others'.
 * Where {@code /proc/stat} cannot be read (not Linux) nothing is reported.
 */
public final class HostCpu {

    /**
     * One wave's figures; NaN where not measured.
     *
     * @param busyShare   the host's busy time (all but idle and I/O wait) over every core
     * @param stealShare  time the hypervisor ran other guests on this host's vCPUs, over every core
     * @param clientShare this JVM's CPU (the client, and the embedded engine where it runs here)
     * @param engineShare the launched engine's CPU: its process and every process below it, all their
     *                    threads; NaN without one
     * @param othersShare busy time that was neither steal nor this JVM's nor the engine's: other
     *                    processes, the kernel's own work, other benchmarks on the host
     * @param mostStolenCpuShare the steal share of the one vCPU that had the most of its time stolen
     *                    during the wave; NaN where {@code /proc/stat} lists no CPU lines
     * @param engineThreadCpuStealShare the steal share of the vCPU that the launched engine's busiest
     *                    thread over the wave was on at the wave's end (a thread may move between
     *                    vCPUs during a wave, and only where it was last is known); NaN without a
     *                    launched engine or where its threads could not be read
     * @param engineThreadCpuShare the CPU the launched engine's busiest thread used over the wave, as a
     *                    share of one CPU's time (near 1: the thread ran all the wave, so the engine is
     *                    paced by one core's speed); NaN without a launched engine
     * @param engineThreadRunQueueShare of the time that thread wanted a CPU (ran or waited runnable, from
     *                    {@code /proc/<pid>/task/<tid>/schedstat}), the share it waited for one: the
     *                    guest's own contention, which steal does not show; NaN where not offered
     */
    public record Reading(double busyShare, double stealShare, double clientShare, double engineShare,
                          double othersShare, double mostStolenCpuShare, double engineThreadCpuStealShare,
                          double engineThreadCpuShare, double engineThreadRunQueueShare) {

        /** A reading without the per-vCPU and per-thread figures (NaN). */
        public Reading(double busyShare, double stealShare, double clientShare, double engineShare, double othersShare) {
            this(busyShare, stealShare, clientShare, engineShare, othersShare, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }

        /**
         * The steal share from which a wave is warned about: 1 % of all CPU time. On the H100 host
         * of session 17 (16 vCPUs, llama-server at about 10 % of them) waves at 1-2 % ran with a
         * TPOT p50 19 % above those under 0.25 %, and waves under 1 % within 15 % of them.
         */
        public static final double STEAL_WARNING_SHARE = 0.01;

        /**
         * The share of one CPU from which a launched engine's busiest thread is taken to pace the
         * engine ({@link #engineThreadCpuShare}): 0.9. On a quiet H100 host (session 21) every measured
         * wave's was 0.99-1.01, and fourteen reruns of one point ran at TPOT 7.9-10.3 ms with under
         * 0.2 % stolen; a CPU build of llama-server on a 2-core machine ran its busiest thread at 0.91.
         */
        public static final double CPU_PACED_SHARE = 0.9;

        /**
         * What a thread at a whole CPU does and does not say: it is the engine's own work, or a spin
         * while it waits for the GPU (CUDA's default wait where a process has fewer GPU contexts than
         * CPUs), and only the first paces the engine. On session 21's H100 it was the first: a decode
         * step of the 1B shape at batch 16 reads about 2.5 GB of weights, about 0.75 ms at the 3.35 TB/s
         * NVIDIA states for the H100 SXM, against a TPOT of 8-10 ms that moved by a third at a constant
         * SM clock.
         */
        public static final String CPU_PACED_PROVISO = "where that is the engine's own work rather than a spin while"
                + " it waits for the GPU";

        /**
         * What an engine paced by one core means for its figures, and what to do: the end of the
         * closing summary's engine-pace line.
         */
        public static final String CPU_PACED_CONSEQUENCE = "its TPOT, and J/outputToken with the idle power over"
                + " the wave, follow that core's speed, which a host changes without any steal (another guest on the"
                + " same physical core, a lower clock), also between reruns on one quiet host: compare reruns by"
                + " dynamic.energy/outputToken, which follows the work and not the core";

        /**
         * What a stolen wave means for its figures, and what to do: the end of every steal warning.
         * The interval clause is measured: on an H100 host stolen throughout, J/outputToken's 95 %
         * interval covered the other reruns' mean 11 times of 16, the energy above idle per token's
         * 16 of 16 (docs/gpu-proof.md, session 20).
         */
        public static final String STEAL_CONSEQUENCE = "an engine paced by its CPU runs slower then, and its"
                + " J/outputToken rises with the idle power over the longer wave, and a rerun may fall"
                + " outside its interval: compare reruns by dynamic.energy/outputToken, or rerun on a quieter host";

        /**
         * A warning where the hypervisor ran other guests on this machine's vCPUs for at least
         * {@link #STEAL_WARNING_SHARE} of all CPU time during the wave, else null: an engine whose
         * own CPU work paces its decode then runs slower, and its J/outputToken rises with the idle
         * power drawn over the longer wave, although the energy the work drew above idle does not.
         */
        public String stealWarning() {
            if (!(stealShare >= STEAL_WARNING_SHARE)) {
                return null;
            }
            return String.format(Locale.ROOT, "the hypervisor gave %.1f %% of this host's CPU time to other guests"
                    + " during the wave (host.steal %.4f); %s", 100 * stealShare, stealShare, STEAL_CONSEQUENCE);
        }
    }

    /**
     * What the wave's start read: the host's ticks, each vCPU's steal and total ticks (indexed by the
     * vCPU's number; null where not listed), this JVM's CPU, and the engine's processes' ticks (the
     * launched process and its descendants, by process id; null where the launched one could not be
     * read) and their threads'.
     */
    private record Counts(long busyTicks, long stealTicks, long totalTicks, int cpus, long[][] perCpu,
                          long jvmCpuNanos, Map<Long, Long> engineProcesses, Map<Long, ThreadTicks> engineThreads,
                          long nanos) {
    }

    /** The most processes counted as the engine's: a runaway tree is cut here, not followed. */
    static final int MAX_ENGINE_PROCESSES = 256;

    /**
     * One engine thread as read at a wave's edge: its user and system ticks, the vCPU it was last on,
     * and the nanoseconds it ran and waited runnable ({@code schedstat}; -1 where not offered).
     */
    record ThreadTicks(long ticks, int cpu, long runNanos, long waitNanos) {
        /** A thread that did not exist yet: it counts from zero. */
        static final ThreadTicks UNBORN = new ThreadTicks(0, -1, 0, 0);
    }

    /** The engine's busiest thread over a wave: its ticks in the wave, and its reads at either edge. */
    private record BusiestThread(long ticksUsed, ThreadTicks start, ThreadTicks end) {
        /** The share of its runnable time it waited for a CPU; NaN where {@code schedstat} was not read at both edges. */
        double runQueueShare() {
            long ran = end.runNanos() - start.runNanos();
            long waited = end.waitNanos() - start.waitNanos();
            return start.waitNanos() >= 0 && end.waitNanos() >= 0 && ran + waited > 0 ? (double) waited / (ran + waited)
                    : Double.NaN;
        }
    }

    private static final com.sun.management.OperatingSystemMXBean OS =
            ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os ? os : null;

    private final Path procRoot;
    private final long enginePid;
    private final Counts start;

    private HostCpu(Path procRoot, long enginePid) {
        this.procRoot = procRoot;
        this.enginePid = enginePid;
        this.start = read();
    }

    /**
     * Starts counting now on {@code /proc}.
     *
     * @param enginePid the launched engine's process id, or -1 without one
     */
    public static HostCpu start(long enginePid) {
        return new HostCpu(Path.of("/proc"), enginePid);
    }

    /** As {@link #start(long)} on another {@code /proc} tree: for tests, which write its files. */
    static HostCpu start(Path procRoot, long enginePid) {
        return new HostCpu(procRoot, enginePid);
    }

    /** The figures since {@link #start}; null where the host's counts could not be read at either end. */
    public Reading stop() {
        Counts end = read();
        if (start == null || end == null) {
            return null;
        }
        long total = end.totalTicks - start.totalTicks;
        if (total <= 0) {
            return null;
        }
        double busy = (double) (end.busyTicks - start.busyTicks) / total;
        double steal = (double) (end.stealTicks - start.stealTicks) / total;
        long wall = end.nanos - start.nanos; // over the host's every CPU, as /proc/stat counts them (not a cgroup's share)
        double client = start.jvmCpuNanos < 0 || end.jvmCpuNanos < 0 || wall <= 0 ? Double.NaN
                : (double) (end.jvmCpuNanos - start.jvmCpuNanos) / ((double) wall * end.cpus);
        double engine = start.engineProcesses == null || end.engineProcesses == null ? Double.NaN
                : (double) used(start.engineProcesses, end.engineProcesses) / total;
        // steal counts as busy (the vCPU was not idle) but is reported apart, so it is not another process's
        double others = busy - steal - (Double.isFinite(client) ? client : 0) - (Double.isFinite(engine) ? engine : 0);
        BusiestThread busiest = busiestThread(start, end);
        double threadCpu = busiest == null || end.cpus <= 0 ? Double.NaN : busiest.ticksUsed() / ((double) total / end.cpus);
        return new Reading(busy, steal, client, engine, Math.max(0, others), mostStolen(start.perCpu, end.perCpu),
                busiest == null ? Double.NaN : cpuSteal(start.perCpu, end.perCpu, busiest.end().cpu()), threadCpu,
                busiest == null ? Double.NaN : busiest.runQueueShare());
    }

    /**
     * The engine's busiest thread over the wave (most user and system ticks between the two reads; a
     * thread started during the wave counts from zero); null without threads or where none used a tick.
     * Its vCPU is the one it was on at the wave's end.
     */
    private static BusiestThread busiestThread(Counts from, Counts to) {
        if (from.engineThreads == null || to.engineThreads == null) {
            return null;
        }
        BusiestThread busiest = null;
        for (var t : to.engineThreads.entrySet()) {
            ThreadTicks before = from.engineThreads.getOrDefault(t.getKey(), ThreadTicks.UNBORN);
            long used = t.getValue().ticks() - before.ticks();
            if (used > (busiest == null ? 0 : busiest.ticksUsed())) {
                busiest = new BusiestThread(used, before, t.getValue());
            }
        }
        return busiest;
    }

    /**
     * The ticks the engine's processes used between two reads: each process listed at the end less
     * its ticks at the start (from zero for one started during the wave; one that ended during it is
     * not counted).
     */
    private static long used(Map<Long, Long> from, Map<Long, Long> to) {
        long used = 0;
        for (var p : to.entrySet()) {
            used += Math.max(0, p.getValue() - from.getOrDefault(p.getKey(), 0L));
        }
        return used;
    }

    /** A vCPU's steal over its ticks between two reads; NaN where it is not listed at both or counted none. */
    private static double cpuSteal(long[][] from, long[][] to, int cpu) {
        if (from == null || to == null || cpu < 0 || cpu >= from.length || cpu >= to.length
                || from[cpu] == null || to[cpu] == null) {
            return Double.NaN;
        }
        long total = to[cpu][1] - from[cpu][1];
        return total > 0 ? (double) (to[cpu][0] - from[cpu][0]) / total : Double.NaN;
    }

    private static double mostStolen(long[][] from, long[][] to) {
        double most = Double.NaN;
        for (int c = 0; to != null && c < to.length; c++) {
            double s = cpuSteal(from, to, c);
            if (Double.isFinite(s) && (Double.isNaN(most) || s > most)) {
                most = s;
            }
        }
        return most;
    }

    private Counts read() {
        long nanos = System.nanoTime();
        List<String> stat;
        try {
            stat = Files.readAllLines(procRoot.resolve("stat"));
        } catch (IOException | RuntimeException e) {
            return null;
        }
        long[] host = hostTicks(stat);
        if (host == null) {
            return null;
        }
        long jvm = OS == null ? -1 : OS.getProcessCpuTime();
        Map<Long, Long> processes = null;
        Map<Long, ThreadTicks> threads = null;
        if (enginePid > 0) {
            processes = new HashMap<>();
            threads = new HashMap<>();
            readEngineTree(processes, threads);
            if (!processes.containsKey(enginePid)) { // gone, or in another pid namespace
                processes = null;
                threads = null;
            }
        }
        return new Counts(host[0], host[1], host[2], (int) host[3], cpuTicks(stat), jvm, processes,
                threads, nanos);
    }

    /**
     * The launched engine's process and its descendants (an engine such as vLLM or SGLang serves from
     * child processes: the process launched answers HTTP while another runs the model), each with its
     * ticks, and all their threads. Children are found in each thread's {@code task/<tid>/children}
     * file, or, where the kernel offers none, from every process's parent in {@code /proc/<pid>/stat}.
     */
    private void readEngineTree(Map<Long, Long> processes, Map<Long, ThreadTicks> threads) {
        java.util.ArrayDeque<Long> todo = new java.util.ArrayDeque<>(List.of(enginePid));
        Map<Long, List<Long>> byParent = null;
        while (!todo.isEmpty() && processes.size() < MAX_ENGINE_PROCESSES) {
            long pid = todo.pop();
            long ticks = processTicks(procRoot.resolve(pid + "/stat"));
            if (ticks < 0 || processes.containsKey(pid)) {
                continue; // ended since it was listed, or listed twice
            }
            processes.put(pid, ticks);
            List<Long> children = new java.util.ArrayList<>();
            threadTicks(procRoot.resolve(pid + "/task"), threads, children);
            if (children.isEmpty() && !Files.exists(procRoot.resolve(pid + "/task/" + pid + "/children"))) {
                if (byParent == null) {
                    byParent = processesByParent(procRoot);
                }
                children.addAll(byParent.getOrDefault(pid, List.of()));
            }
            todo.addAll(children);
        }
    }

    /** Every process in {@code /proc} by its parent's id (field 4 of its {@code stat}); empty where unreadable. */
    static Map<Long, List<Long>> processesByParent(Path procRoot) {
        Map<Long, List<Long>> out = new HashMap<>();
        try (Stream<Path> entries = Files.list(procRoot)) {
            for (Path d : (Iterable<Path>) entries::iterator) {
                String name = d.getFileName().toString();
                if (name.isEmpty() || !name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                long parent = parentOf(d.resolve("stat"));
                if (parent > 0) {
                    out.computeIfAbsent(parent, k -> new java.util.ArrayList<>()).add(Long.parseLong(name));
                }
            }
        } catch (IOException | RuntimeException e) {
            return out;
        }
        return out;
    }

    /** A process's parent id from its {@code stat} (field 4, after the command name); -1 where unreadable. */
    static long parentOf(Path stat) {
        try {
            String s = Files.readString(stat);
            int close = s.lastIndexOf(')');
            String[] f = s.substring(close + 1).trim().split("\\s+");
            return close >= 0 && f.length > 1 ? Long.parseLong(f[1]) : -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * Each {@code cpuN} line of {@code /proc/stat}: its steal and total ticks (user nice system
     * idle iowait irq softirq steal), at index N.
     */
    static long[][] cpuTicks(List<String> lines) {
        Map<Integer, long[]> byCpu = new HashMap<>();
        int highest = -1;
        for (String l : lines) {
            if (!l.startsWith("cpu") || l.length() < 4 || !Character.isDigit(l.charAt(3))) {
                continue;
            }
            String[] f = l.trim().split("\\s+");
            if (f.length < 9) {
                continue; // no steal column: an old kernel
            }
            try {
                int cpu = Integer.parseInt(f[0].substring(3));
                long total = 0;
                for (int i = 1; i <= 8; i++) {
                    total += Long.parseLong(f[i]);
                }
                byCpu.put(cpu, new long[] {Long.parseLong(f[8]), total});
                highest = Math.max(highest, cpu);
            } catch (NumberFormatException e) {
                // a line unlike Linux's: that vCPU is left out
            }
        }
        long[][] out = new long[highest + 1][];
        byCpu.forEach((cpu, ticks) -> out[cpu] = ticks);
        return out;
    }

    /**
     * A process's threads ({@code /proc/<pid>/task/<tid>/stat} and {@code schedstat}) into
     * {@code threads}: per thread id its user and system ticks, the vCPU it was last on (field 39),
     * and the nanoseconds it ran and waited runnable (-1 where {@code schedstat} is not offered); and
     * the child processes each thread started ({@code children}, where the kernel offers it) into
     * {@code children}. A thread that ends between the listing and its read is left out.
     *
     * @return false where the folder cannot be listed
     */
    static boolean threadTicks(Path task, Map<Long, ThreadTicks> threads, List<Long> children) {
        try (Stream<Path> tids = Files.list(task)) {
            for (Path t : (Iterable<Path>) tids::iterator) {
                long[] ticks = threadStat(t.resolve("stat"));
                if (ticks != null) {
                    long[] sched = schedStat(t.resolve("schedstat"));
                    threads.put(Long.parseLong(t.getFileName().toString()),
                            new ThreadTicks(ticks[0], (int) ticks[1], sched[0], sched[1]));
                    childrenOf(t.resolve("children"), children);
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return true;
    }

    /** The process ids in a thread's {@code children} file, added to {@code out}; none where it is missing. */
    private static void childrenOf(Path file, List<Long> out) {
        try {
            for (String pid : Files.readString(file).trim().split("\\s+")) {
                if (!pid.isEmpty()) {
                    out.add(Long.parseLong(pid));
                }
            }
        } catch (IOException | RuntimeException e) {
            // no children file (a kernel without it), or the thread ended
        }
    }

    /** A thread's user and system ticks and its last vCPU from its stat line; null where unreadable. */
    static long[] threadStat(Path stat) {
        try {
            String s = Files.readString(stat);
            int close = s.lastIndexOf(')');
            if (close < 0) {
                return null;
            }
            String[] f = s.substring(close + 1).trim().split("\\s+");
            // after the name, field N is at index N - 3: utime 14, stime 15, processor 39
            return f.length > 36 ? new long[] {Long.parseLong(f[11]) + Long.parseLong(f[12]), Long.parseLong(f[36])} : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * A thread's {@code schedstat}: the nanoseconds it ran and waited runnable on a run queue; {-1, -1}
     * where the file is missing (a kernel without scheduler statistics) or unlike Linux's.
     */
    static long[] schedStat(Path schedstat) {
        try {
            String[] f = Files.readString(schedstat).trim().split("\\s+");
            return f.length >= 2 ? new long[] {Long.parseLong(f[0]), Long.parseLong(f[1])} : new long[] {-1, -1};
        } catch (IOException | RuntimeException e) {
            return new long[] {-1, -1};
        }
    }

    /**
     * The aggregate {@code cpu} line of {@code /proc/stat}: user nice system idle iowait irq
     * softirq steal (guest time is inside user already). Busy: all but idle and iowait, steal
     * included (the vCPU was not ours to run then, but not idle either).
     *
     * @return busy, steal and total ticks and the number of CPUs listed, or null where the file is
     *         missing or unlike Linux's
     */
    static long[] hostTicks(Path stat) {
        try {
            return hostTicks(Files.readAllLines(stat));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** As {@link #hostTicks(Path)}, on the file's lines. */
    static long[] hostTicks(List<String> lines) {
        String line = null;
        int cpus = 0;
        for (String l : lines) {
            if (l.startsWith("cpu ")) {
                line = l;
            } else if (l.startsWith("cpu") && l.length() > 3 && Character.isDigit(l.charAt(3))) {
                cpus++;
            }
        }
        if (line == null || cpus == 0) {
            return null;
        }
        String[] f = line.trim().split("\\s+");
        if (f.length < 5) {
            return null;
        }
        long total = 0;
        long idle = 0;
        long steal = 0;
        try {
            for (int i = 1; i < f.length && i <= 8; i++) {
                long v = Long.parseLong(f[i]);
                total += v;
                if (i == 4 || i == 5) { // idle, iowait
                    idle += v;
                }
                if (i == 8) {
                    steal = v;
                }
            }
        } catch (NumberFormatException e) {
            return null;
        }
        return new long[] {total - idle, steal, total, cpus};
    }

    /**
     * A process's user and system ticks (fields 14 and 15 of {@code /proc/<pid>/stat}, counted
     * after the command name, which may hold spaces and parentheses); -1 where it cannot be read
     * (the process is gone, or runs in another pid namespace).
     */
    static long processTicks(Path stat) {
        try {
            String s = Files.readString(stat);
            int close = s.lastIndexOf(')');
            if (close < 0) {
                return -1;
            }
            String[] f = s.substring(close + 1).trim().split("\\s+");
            // after the name: state(3) ppid(4) ... utime(14) stime(15), so index 11 and 12 here
            return f.length > 12 ? Long.parseLong(f[11]) + Long.parseLong(f[12]) : -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
