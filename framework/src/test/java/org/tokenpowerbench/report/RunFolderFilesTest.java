package org.tokenpowerbench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tokenpowerbench.axes.Axis;
import org.tokenpowerbench.axes.AxisValues;
import org.tokenpowerbench.client.RequestTimeline;
import org.tokenpowerbench.client.TokenCountSource;
import org.tokenpowerbench.energy.PowerSignal;
import org.tokenpowerbench.power.Method;
import org.tokenpowerbench.power.PowerChannel;
import org.tokenpowerbench.power.PowerTrace;
import org.tokenpowerbench.power.Scope;
import org.tokenpowerbench.stats.LatencyHistogram;
import org.tokenpowerbench.workload.WaveRecord;

/** The run folder's shared columns: trial id, trial axes, one clock, units in headers, no comment lines. */
class RunFolderFilesTest {

    private static final long MS = 1_000_000L;
    private static final TrialKey TRIAL = new TrialKey("demo.Bench", "model=m batch=4");

    @TempDir
    Path dir;

    @AfterEach
    void clear() {
        System.clearProperty(RunDirectory.INVOCATION);
    }

    @Test
    void aTrialKeepsItsIdAndAnyOtherValueChangesIt() {
        String id = TRIAL.id();
        assertTrue(id.matches("t[0-9a-f]{12}"), id);
        assertEquals(id, new TrialKey("demo.Bench", "model=m batch=4").id());
        assertNotEquals(id, new TrialKey("demo.Bench", "model=m batch=8").id());
        assertNotEquals(id, new TrialKey("demo.Other", "model=m batch=4").id());
    }

    @Test
    void trialAxesHaveAColumnPerAxisAndOneRowPerTrialAndInvocation() throws Exception {
        RunDirectory run = new RunDirectory(dir);
        AxisValues values = values(Map.of(Axis.MODEL, "m", Axis.BATCH, 4));
        System.setProperty(RunDirectory.INVOCATION, "first");
        TrialAxesFile.append(run, TRIAL, values);
        TrialAxesFile.append(run, TRIAL, values); // a second fork of the same trial
        System.setProperty(RunDirectory.INVOCATION, "second");
        TrialAxesFile.append(run, TRIAL, values); // the trial again, in a resume

        List<String> lines = Files.readAllLines(dir.resolve(TrialAxesFile.FILE));
        assertEquals(3, lines.size(), String.join("\n", lines));
        List<String> header = List.of(lines.get(0).split(","));
        List<String> row = List.of(lines.get(2).split(","));
        assertEquals(header.size(), row.size(), lines.get(2));
        assertEquals(TRIAL.id(), row.get(header.indexOf("trial_id")));
        assertEquals("second", row.get(header.indexOf("invocation")));
        assertEquals("4", row.get(header.indexOf("batch")), "the value the trial used");
        assertEquals("f16", row.get(header.indexOf("quantization")), "an axis it did not set: the default");
        assertEquals("", row.get(header.indexOf("dataset")), "an optional axis it does not have: empty");
        assertEquals(TRIAL.description(), row.get(header.indexOf("trial")));
    }

    @Test
    void requestsAndPowerSamplesAreOnOneClockWithUnitsInTheHeaders() throws Exception {
        RunDirectory run = new RunDirectory(dir);
        long t0 = System.nanoTime();
        long[] times = new long[11];
        double[] joules = new double[11];
        for (int i = 0; i < times.length; i++) {
            times[i] = t0 + i * 10 * MS;
            joules[i] = i; // 1 J every 10 ms: 100 W
        }
        PowerTrace trace = new PowerTrace(List.of(new PowerChannel("gpu0.energy", "GPU-0", Scope.GPU, Method.COUNTER,
                PowerChannel.Kind.ENERGY_JOULES)), times, new double[][] {joules});
        RequestTimeline r = new RequestTimeline(0, 0, t0 + 20 * MS, t0 + 20 * MS, t0 + 30 * MS, t0 + 80 * MS,
                t0 + 80 * MS, 7, 4, 4, TokenCountSource.SERVER_USAGE, 4, new LatencyHistogram(), null, null);
        RequestsFile.append(run, TRIAL, "measurement-1", new WaveRecord(t0 + 20 * MS, t0 + 80 * MS, 1, List.of(r)));
        PowerTraceFile.write(run, "gpu", 1, TRIAL, "measurement-1", trace, PowerSignal.of(trace, 50 * MS));

        List<String> power = Files.readAllLines(dir.resolve(PowerTraceFile.name("gpu", 1)));
        assertEquals("trial_id,iteration,t_unix_ms,power_W,gpu0.energy_J,invocation", power.get(0));
        assertEquals(1 + 11, power.size());
        String[] first = power.get(1).split(",", -1);
        assertEquals(List.of(TRIAL.id(), "measurement-1"), List.of(first[0], first[1]));
        assertEquals("", first[3], "no interval ends at the first sample");
        for (String line : power.subList(2, power.size())) {
            assertEquals(100.0, Double.parseDouble(line.split(",")[3]), 1e-9, line);
        }
        List<String> requests = Files.readAllLines(dir.resolve(RequestsFile.FILE));
        List<String> header = List.of(requests.get(0).split(","));
        String[] row = requests.get(1).split(",", -1);
        double sent = Double.parseDouble(row[header.indexOf("sent_unix_ms")]);
        double last = Double.parseDouble(row[header.indexOf("last_token_unix_ms")]);
        double powerStart = Double.parseDouble(first[2]);
        assertEquals(20.0, sent - powerStart, 0.0015, "sent 20 ms after the first sample, on the same clock");
        assertEquals(60.0, last - sent, 0.0015);
        assertEquals(Double.parseDouble(row[header.indexOf("e2e_ms")]), last - sent, 0.0015);
        assertTrue(Math.abs(powerStart - System.currentTimeMillis()) < 60_000, "epoch milliseconds: " + powerStart);

        for (Path csv : List.of(dir.resolve(RequestsFile.FILE), dir.resolve(PowerTraceFile.name("gpu", 1)))) {
            assertFalse(Files.readAllLines(csv).stream().anyMatch(l -> l.startsWith("#")), csv + " has a comment line");
        }
        List<String> clock = Files.readAllLines(dir.resolve(RunClock.FILE));
        assertEquals(1, clock.size(), "one anchor per fork and folder: " + clock);
        assertTrue(clock.get(0).contains("\"pid\":" + ProcessHandle.current().pid()), clock.get(0));
    }

    private static AxisValues values(Map<Axis, Object> set) {
        return new AxisValues() {
            @Override
            public boolean has(Axis axis) {
                return set.containsKey(axis);
            }

            @Override
            public Object get(Axis axis) {
                return set.containsKey(axis) ? set.get(axis) : axis.defaultValue();
            }
        };
    }
}
