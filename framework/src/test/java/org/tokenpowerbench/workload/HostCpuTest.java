package org.tokenpowerbench.workload;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        Files.createDirectories(proc.resolve(Long.toString(pid)));
        Files.writeString(proc.resolve(pid + "/stat"), pid + " (llama server (x)) S 1 " + pid + " " + pid
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
