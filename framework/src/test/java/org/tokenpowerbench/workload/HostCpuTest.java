package org.tokenpowerbench.workload;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who used the host's CPUs during a wave, from /proc files the test writes as Linux would. */
class HostCpuTest {

    @TempDir
    Path proc;

    /** {@code /proc/stat} with the aggregate line and two CPUs (user nice system idle iowait irq softirq steal guest guest_nice). */
    private void stat(long user, long system, long idle, long iowait, long steal) throws Exception {
        Files.writeString(proc.resolve("stat"), "cpu  " + user + " 0 " + system + " " + idle + " " + iowait + " 0 0 " + steal
                + " 0 0\ncpu0 1 0 1 1 0 0 0 0 0 0\ncpu1 1 0 1 1 0 0 0 0 0 0\nintr 12345 0 0\nctxt 999\n");
    }

    /** {@code /proc/<pid>/stat} of a process whose name holds a space and a parenthesis, as an engine's may. */
    private void process(long pid, long utime, long stime) throws Exception {
        process(pid, 1, utime, stime);
    }

    /** As above, a child of {@code parent}. */
    private void process(long pid, long parent, long utime, long stime) throws Exception {
        Files.createDirectories(proc.resolve(Long.toString(pid)));
        Files.writeString(proc.resolve(pid + "/stat"), pid + " (llama server (x)) S " + parent + " " + pid + " " + pid
                + " 0 -1 4194560 100 0 0 0 " + utime + " " + stime + " 0 0 20 0 17 0 100 200 300\n");
    }

    @Test
    void busyStealEngineAndOthersAreSharesOfEveryTickTheHostCounted() throws Exception {
        stat(1_000, 500, 8_000, 100, 0);
        process(4242, 300, 20);
        HostCpu host = HostCpu.start(proc, 4242);
        // over the wave: 1,000 ticks in all; 400 busy (user 250, system 100, steal 50), 550 idle, 50 iowait;
        // the engine used 120 of them
        stat(1_250, 600, 8_550, 150, 50);
        process(4242, 400, 40);
        HostCpu.Reading r = host.stop();
        assertEquals(0.40, r.busyShare(), 1e-12);
        assertEquals(0.05, r.stealShare(), 1e-12);
        assertEquals(0.12, r.engineShare(), 1e-12);
        assertTrue(Double.isFinite(r.clientShare()) && r.clientShare() >= 0, "this JVM's own CPU: " + r);
        // steal is busy time but not another process's: it is left out of the others' share
        assertEquals(Math.max(0, 0.40 - 0.05 - 0.12 - r.clientShare()), r.othersShare(), 1e-12);
    }

    /** {@code /proc/stat} with the aggregate line and each CPU's as given (user system idle steal; the rest 0). */
    private void statPerCpu(long[]... cpus) throws Exception {
        long[] all = new long[4];
        StringBuilder lines = new StringBuilder();
        for (int c = 0; c < cpus.length; c++) {
            long[] v = cpus[c];
            lines.append("cpu").append(c).append(' ').append(v[0]).append(" 0 ").append(v[1]).append(' ').append(v[2])
                    .append(" 0 0 0 ").append(v[3]).append(" 0 0\n");
            for (int i = 0; i < 4; i++) {
                all[i] += v[i];
            }
        }
        Files.writeString(proc.resolve("stat"), "cpu  " + all[0] + " 0 " + all[1] + " " + all[2] + " 0 0 0 " + all[3]
                + " 0 0\n" + lines + "intr 1 0\n");
    }

    /** {@code /proc/<pid>/task/<tid>/stat}: a thread's user and system ticks, and the vCPU it was last on (field 39). */
    private void thread(long pid, long tid, long utime, long stime, int cpu) throws Exception {
        thread(pid, tid, utime, stime, cpu, -1, -1);
    }

    /** As above, with {@code schedstat}'s nanoseconds run and waited runnable (none written where negative). */
    private void thread(long pid, long tid, long utime, long stime, int cpu, long ranNs, long waitedNs) throws Exception {
        Path dir = proc.resolve(pid + "/task/" + tid);
        Files.createDirectories(dir);
        String[] f = new String[50];
        java.util.Arrays.fill(f, "0");
        f[0] = "S";
        f[11] = Long.toString(utime);
        f[12] = Long.toString(stime);
        f[36] = Integer.toString(cpu);
        Files.writeString(dir.resolve("stat"), tid + " (llama-server) " + String.join(" ", f) + "\n");
        if (ranNs >= 0) {
            Files.writeString(dir.resolve("schedstat"), ranNs + " " + waitedNs + " 1234\n");
        } else {
            Files.deleteIfExists(dir.resolve("schedstat"));
        }
    }

    @Test
    void theVcpuStolenMostAndTheOneTheEnginesBusiestThreadRanOnAreEachTheirOwnShare() throws Exception {
        // two vCPUs: cpu0 quiet, cpu1 with 20 % of its time stolen; host-wide that is 10 %
        statPerCpu(new long[] {100, 50, 850, 0}, new long[] {100, 50, 850, 0});
        process(4242, 10, 0);
        thread(4242, 4242, 900, 100, 0); // the HTTP thread: busy while the model loaded, hardly in the wave
        thread(4242, 4250, 5, 0, 1);   // the decode loop
        HostCpu host = HostCpu.start(proc, 4242);
        statPerCpu(new long[] {150, 60, 1790, 0}, new long[] {400, 100, 1300, 200});
        process(4242, 400, 30);
        thread(4242, 4242, 920, 105, 0);
        thread(4242, 4250, 350, 20, 1);
        thread(4242, 4260, 40, 0, 0);  // started during the wave: counted from zero
        HostCpu.Reading r = host.stop();
        assertEquals(0.10, r.stealShare(), 1e-12, "host-wide: 200 of 2,000 ticks");
        assertEquals(0.20, r.mostStolenCpuShare(), 1e-12);
        assertEquals(0.20, r.engineThreadCpuStealShare(), 1e-12, "the decode loop, 365 ticks in the wave, was on cpu1");

        // the busiest thread moves to the quiet vCPU: its share is that vCPU's, the most stolen stays cpu1's
        HostCpu again = HostCpu.start(proc, 4242);
        statPerCpu(new long[] {250, 70, 2680, 0}, new long[] {500, 150, 2100, 250});
        thread(4242, 4250, 450, 20, 0);
        HostCpu.Reading moved = again.stop();
        assertEquals(0.0, moved.engineThreadCpuStealShare(), 1e-12);
        assertEquals(50.0 / 1000, moved.mostStolenCpuShare(), 1e-12);
        // without a launched engine: no thread's vCPU
        HostCpu noEngine = HostCpu.start(proc, -1);
        statPerCpu(new long[] {300, 80, 3620, 0}, new long[] {600, 200, 2900, 300});
        HostCpu.Reading none = noEngine.stop();
        assertTrue(Double.isNaN(none.engineThreadCpuStealShare()), none.toString());
        assertEquals(0.05, none.mostStolenCpuShare(), 1e-12);
    }

    @Test
    void anEngineThatServesFromChildProcessesIsCountedWithThem() throws Exception {
        // as vLLM: the launched process answers HTTP, a child runs the model; 1,000 ticks a vCPU over the wave
        statPerCpu(new long[] {100, 50, 850, 0}, new long[] {100, 50, 850, 0});
        process(4242, 50, 10);
        thread(4242, 4242, 50, 10, 0);
        process(4300, 4242, 20, 0);
        thread(4300, 4300, 20, 0, 1);
        Files.writeString(proc.resolve("4242/task/4242/children"), "4300 ");
        HostCpu host = HostCpu.start(proc, 4242);
        statPerCpu(new long[] {250, 60, 1690, 0}, new long[] {900, 100, 1000, 0});
        process(4242, 90, 20);
        thread(4242, 4242, 90, 20, 0);      // the HTTP server: 50 ticks in the wave
        process(4300, 4242, 900, 30);
        thread(4300, 4300, 900, 30, 1);     // the model's loop: 910 ticks
        process(4400, 4300, 40, 0);         // a worker the child started during the wave: counted from zero
        thread(4400, 4400, 40, 0, 0);
        Files.writeString(proc.resolve("4300/task/4300/children"), "4400");
        HostCpu.Reading r = host.stop();
        assertEquals((50 + 910 + 40) / 2000.0, r.engineShare(), 1e-12, "the launched process and both below it");
        assertEquals(0.91, r.engineThreadCpuShare(), 1e-12, "the child's loop is the engine's busiest thread");

        // a kernel without children files: the tree is found from every process's parent
        Files.delete(proc.resolve("4242/task/4242/children"));
        Files.delete(proc.resolve("4300/task/4300/children"));
        process(9999, 1, 500, 0); // not the engine's
        HostCpu again = HostCpu.start(proc, 4242);
        statPerCpu(new long[] {350, 70, 2580, 0}, new long[] {1700, 150, 1150, 0});
        process(4300, 4242, 1700, 60);
        thread(4300, 4300, 1700, 60, 1);
        process(9999, 1, 1400, 0);
        HostCpu.Reading scanned = again.stop();
        assertEquals(830 / 2000.0, scanned.engineShare(), 1e-12, "the child's 830 ticks, not the stranger's 900");
        assertEquals(0.83, scanned.engineThreadCpuShare(), 1e-12);
    }

    @Test
    void onThisMachinesProcAChildThatDoesTheWorkIsTheEngines() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "Linux's /proc");
        // a launcher that waits while its child burns CPU, as vLLM's API process beside its engine core
        Process launcher = new ProcessBuilder("sh", "-c", "yes > /dev/null & wait").start();
        try {
            long deadline = System.nanoTime() + 20_000_000_000L; // a generous bound for a busy host
            while (launcher.descendants().findAny().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            HostCpu host = HostCpu.start(launcher.pid());
            // read until the child has used a tick (the kernel counts in 10 ms ticks), however slow the host
            HostCpu.Reading r;
            do {
                Thread.sleep(50);
                r = host.stop();
            } while ((r == null || !(r.engineShare() > 0)) && System.nanoTime() < deadline);
            assertTrue(r != null && r.engineShare() > 0, "the child's CPU is the engine's: " + r);
            assertTrue(r.engineThreadCpuShare() > 0, "the child's thread is the busiest: " + r);
        } finally {
            launcher.descendants().forEach(ProcessHandle::destroyForcibly);
            launcher.destroyForcibly();
        }
    }

    @Test
    void theEnginesBusiestThreadSaysHowMuchOfOneCpuItUsedAndHowLongItWaitedForOne() throws Exception {
        // two vCPUs, 1,000 ticks each over the wave
        statPerCpu(new long[] {100, 50, 850, 0}, new long[] {100, 50, 850, 0});
        process(4242, 10, 0);
        thread(4242, 4242, 900, 100, 0, 9_000_000_000L, 1_000_000_000L); // busy before the wave, not in it
        thread(4242, 4250, 5, 0, 1, 50_000_000L, 0);
        HostCpu host = HostCpu.start(proc, 4242);
        statPerCpu(new long[] {150, 60, 1790, 0}, new long[] {1000, 100, 700, 200});
        process(4242, 1000, 30);
        thread(4242, 4242, 920, 105, 0, 9_200_000_000L, 1_900_000_000L);
        // the decode loop: 900 of cpu1's 1,000 ticks; ran 9 s and waited 1 s more for a CPU in the wave
        thread(4242, 4250, 880, 25, 1, 9_050_000_000L, 1_000_000_000L);
        HostCpu.Reading r = host.stop();
        assertEquals(0.90, r.engineThreadCpuShare(), 1e-12, "900 ticks of one vCPU's 1,000");
        assertEquals(0.10, r.engineThreadRunQueueShare(), 1e-12,
                "the busiest thread's wait (1 s of 10 s runnable), not the HTTP thread's 0.9 of 1.1 s");

        // a kernel without scheduler statistics: the CPU share stays, the wait is not measured
        thread(4242, 4250, 880, 25, 1);
        HostCpu without = HostCpu.start(proc, 4242);
        statPerCpu(new long[] {250, 70, 2680, 0}, new long[] {1500, 150, 1150, 200});
        thread(4242, 4250, 1330, 25, 1);
        HostCpu.Reading w = without.stop();
        assertEquals(0.45, w.engineThreadCpuShare(), 1e-12);
        assertTrue(Double.isNaN(w.engineThreadRunQueueShare()), w.toString());
        // no launched engine: neither
        HostCpu noEngine = HostCpu.start(proc, -1);
        statPerCpu(new long[] {300, 80, 3620, 0}, new long[] {1600, 200, 2000, 200});
        HostCpu.Reading none = noEngine.stop();
        assertTrue(Double.isNaN(none.engineThreadCpuShare()) && Double.isNaN(none.engineThreadRunQueueShare()), none.toString());
    }

    @Test
    void aWaveWithAPercentOfItsCpuTimeStolenIsWarnedAboutAndOneWithLessIsNot() {
        HostCpu.Reading quiet = new HostCpu.Reading(0.12, 0.0099, 0.02, 0.09, 0.01);
        HostCpu.Reading stolen = new HostCpu.Reading(0.15, 0.0241, 0.02, 0.09, 0.0159);
        HostCpu.Reading unread = new HostCpu.Reading(0.12, Double.NaN, 0.02, 0.09, 0.01);
        assertNull(quiet.stealWarning());
        assertNull(unread.stealWarning());
        String w = stolen.stealWarning();
        assertTrue(w != null && w.contains("2.4 %") && w.contains("host.steal 0.0241")
                && w.contains("dynamic.energy/outputToken"), w);
    }

    @Test
    void anEngineThatIsGoneOrNoneLeavesItsShareUnmeasured() throws Exception {
        stat(0, 0, 1_000, 0, 0);
        HostCpu none = HostCpu.start(proc, -1);
        HostCpu gone = HostCpu.start(proc, 777); // no /proc/777: another pid namespace, or it exited
        stat(100, 0, 1_900, 0, 0);
        for (HostCpu h : new HostCpu[] {none, gone}) {
            HostCpu.Reading r = h.stop();
            assertEquals(0.10, r.busyShare(), 1e-12);
            assertTrue(Double.isNaN(r.engineShare()));
        }
    }

    @Test
    void withoutALinuxProcStatNothingIsReported() throws Exception {
        assertNull(HostCpu.start(proc, -1).stop(), "no stat file");
        Files.writeString(proc.resolve("stat"), "something else\n");
        assertNull(HostCpu.start(proc, -1).stop(), "no cpu line");
        assertNull(HostCpu.hostTicks(proc.resolve("missing")));
        stat(5, 5, 5, 5, 0);
        assertNull(HostCpu.start(proc, -1).stop(), "no tick counted between the two reads");
    }

    @Test
    void theLinesAreReadAsTheKernelWritesThem() throws Exception {
        stat(10, 20, 30, 40, 5);
        assertArrayEquals(new long[] {35, 5, 105, 2}, HostCpu.hostTicks(proc.resolve("stat")),
                "busy = user + system + steal, total adds idle and iowait; two CPUs listed");
        process(9, 1234, 56);
        assertEquals(1290, HostCpu.processTicks(proc.resolve("9/stat")));
        assertEquals(-1, HostCpu.processTicks(proc.resolve("10/stat")));
    }
}
