package org.tokenpowerbench.power.nvml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tokenpowerbench.energy.CounterTiming;
import org.tokenpowerbench.energy.PowerSignal;
import org.tokenpowerbench.power.PowerTrace;
import org.tokenpowerbench.power.Method;
import org.tokenpowerbench.power.PowerChannel;
import org.tokenpowerbench.power.Scope;
import org.tokenpowerbench.power.SensorUnavailableException;
import org.tokenpowerbench.power.nvml.NvmlMetadata.PowerSource;

class NvmlSensorTest {

    static final long MS = 1_000_000L;
    static final String U0 = "GPU-11111111-aaaa-bbbb-cccc-000000000000";
    static final String U1 = "GPU-22222222-aaaa-bbbb-cccc-000000000000";
    static final String U2 = "GPU-33333333-aaaa-bbbb-cccc-000000000000";

    final AtomicLong now = new AtomicLong(1_000 * MS);

    private FakeNvml fake(FakeNvml.Gpu... gpus) {
        return new FakeNvml(now::get, gpus);
    }

    private NvmlSensor open(FakeNvml nvml, Map<String, String> options, Map<String, String> env)
            throws SensorUnavailableException {
        return NvmlSensor.open(nvml, NvmlOptions.parse(options), env, now::get);
    }

    private static Map<String, String> env(String cudaVisibleDevices) {
        Map<String, String> e = new HashMap<>();
        if (cudaVisibleDevices != null) {
            e.put(CudaVisibleDevices.VARIABLE, cudaVisibleDevices);
        }
        return e;
    }

    @Test
    void twoChannelsPerGpuKeyedByUuid() throws Exception {
        FakeNvml nvml = fake(FakeNvml.h200(U0), FakeNvml.h200(U1));
        try (NvmlSensor s = open(nvml, Map.of(), env(null))) {
            assertEquals("nvml", s.id());
            assertEquals(List.of(
                    new PowerChannel("gpu0.counter", U0, Scope.GPU, Method.COUNTER, PowerChannel.Kind.ENERGY_JOULES),
                    new PowerChannel("gpu0.power", U0, Scope.GPU, Method.SAMPLED, PowerChannel.Kind.POWER_WATTS),
                    new PowerChannel("gpu1.counter", U1, Scope.GPU, Method.COUNTER, PowerChannel.Kind.ENERGY_JOULES),
                    new PowerChannel("gpu1.power", U1, Scope.GPU, Method.SAMPLED, PowerChannel.Kind.POWER_WATTS)),
                    s.channels());
            assertEquals(100, s.updatePeriod().toMillis());
        }
    }

    @Test
    void metadataRecordsVersionsNamesLimitsAndWhatWorked() throws Exception {
        FakeNvml.Gpu g = FakeNvml.h200(U0);
        try (NvmlSensor s = open(fake(g), Map.of(), env(null))) {
            NvmlMetadata m = s.metadata();
            assertEquals("580.159.04", m.driverVersion());
            assertEquals("13.580.159.04", m.nvmlVersion());
            NvmlMetadata.Gpu d = m.gpus().get(0);
            assertEquals(U0, d.uuid());
            assertEquals("NVIDIA H200", d.name());
            assertEquals(700.0, d.powerLimitWatts());
            assertTrue(d.energyCounter());
            assertEquals(PowerSource.INSTANT_FIELD, d.powerSource());
            assertEquals("ok", d.probes().get(0).detail());
            Map<String, String> p = m.asProperties();
            assertEquals(U0, p.get("nvml.gpu0.uuid"));
            assertEquals("counter", p.get("nvml.gpu0.energy"));
            assertEquals("instant_field", p.get("nvml.gpu0.powerSource"));
            assertEquals("ok", p.get("nvml.gpu0.probe.NVML_FI_DEV_POWER_INSTANT"));
            assertEquals("(unset)", p.get("nvml.cudaVisibleDevices"));
        }
    }

    @Test
    void samplesInstantPowerAlwaysAndTheCounterOnBoundariesInJoules() throws Exception {
        FakeNvml.Gpu g = FakeNvml.h200(U0);
        g.watts = 250;
        try (NvmlSensor s = open(fake(g), Map.of(), env(null))) {
            double[] out = new double[2];
            now.addAndGet(10 * MS);
            s.sample(out, true);
            assertEquals(2.5, out[0], 1e-9, "250 W for 10 ms since open");
            assertEquals(250.0, out[1]);
            now.addAndGet(10 * MS);
            s.sample(out, false);
            assertEquals(5.0, out[0], 1e-9, "the first bracket hunt starts at the first sample after open");
            assertEquals(250.0, out[1]);
            now.addAndGet(2000 * MS);
            s.sample(out, true);
            assertEquals(2.5 + 2.5 + 500, out[0], 1e-9);
        }
    }

    /** Reads of one counter channel in a run of samples: times and joules, NaN-free. */
    private record Reads(List<Long> times, List<Double> joules) {
        /** Pairs of consecutive reads, at most half an update period apart, whose value changed. */
        int tightBrackets() {
            int n = 0;
            for (int i = 1; i < times.size(); i++) {
                if (2 * (times.get(i) - times.get(i - 1)) <= 100 * MS && !joules.get(i).equals(joules.get(i - 1))) {
                    n++;
                }
            }
            return n;
        }
    }

    /** Samples every 10 ms for {@code samples} samples (boundary first and last), collecting channel ch's reads. */
    private Reads[] run(NvmlSensor s, int samples, int channels) {
        Reads[] reads = new Reads[channels];
        for (int c = 0; c < channels; c++) {
            reads[c] = new Reads(new ArrayList<>(), new ArrayList<>());
        }
        double[] out = new double[channels];
        for (int i = 0; i < samples; i++) {
            if (i > 0) {
                now.addAndGet(10 * MS);
            }
            s.sample(out, i == 0 || i == samples - 1);
            for (int c = 0; c < channels; c++) {
                if (!Double.isNaN(out[c])) {
                    reads[c].times.add(now.get());
                    reads[c].joules.add(out[c]);
                }
            }
        }
        return reads;
    }

    private static FakeNvml.Gpu stepping(String uuid, long phase) {
        FakeNvml.Gpu g = FakeNvml.h200(uuid);
        g.counterUpdateNanos = 100 * MS;
        g.counterUpdatePhaseNanos = phase;
        return g;
    }

    @Test
    void denseBracketHuntsCatchThreeStepsASecondWithinOneSampleAndReadLittleElse() throws Exception {
        FakeNvml.Gpu a = stepping(U0, 37 * MS);
        try (NvmlSensor s = open(fake(a), Map.of("counterSchedule", "dense"), env(null))) {
            Reads r = run(s, 1001, 2)[0]; // 10 s
            assertTrue(r.tightBrackets() >= 30, r.tightBrackets() + " tight brackets in 10 s");
            for (int i = 1; i < r.times().size(); i++) {
                long width = r.times().get(i) - r.times().get(i - 1);
                if (!r.joules().get(i).equals(r.joules().get(i - 1)) && 2 * width <= 100 * MS) {
                    assertEquals(10 * MS, width, "a hunt reads every sample, so a bracket is one sample wide");
                }
            }
            // 3.3 hunts a second of two or three reads each: far below a read per sample
            assertTrue(a.counterReads - 1 <= 120, a.counterReads + " counter reads in 10 s");
        }
    }

    @Test
    void theLearnerFindsTheTrueUpdateMomentsFromTheSensorsReads() throws Exception {
        long phase = 63 * MS;
        FakeNvml.Gpu a = stepping(U0, phase);
        try (NvmlSensor s = open(fake(a), Map.of(), env(null))) {
            Reads r = run(s, 301, 2)[0]; // 3 s
            long[] t = r.times().stream().mapToLong(Long::longValue).toArray();
            double[] v = r.joules().stream().mapToDouble(Double::doubleValue).toArray();
            org.tokenpowerbench.energy.CounterUpdates u = org.tokenpowerbench.energy.CounterUpdates.learn(t, v, 100 * MS);
            assertTrue(u.atUpdateMoments(), u.describe());
            long[] moments = u.times();
            for (int i = 1; i < moments.length; i++) { // the first point is the open's value, not a step
                long offset = Math.floorMod(moments[i] - phase, 100 * MS);
                long miss = Math.min(offset, 100 * MS - offset);
                assertTrue(miss <= 5 * MS, "moment " + i + " is " + miss / 1e6 + " ms off an update (" + u.describe() + ")");
            }
        }
    }

    @Test
    void severalGpusEachGetThreeBracketsASecondWhileAtMostOneHuntStartsPerSample() throws Exception {
        FakeNvml.Gpu a = stepping(U0, 10 * MS);
        FakeNvml.Gpu b = stepping(U1, 10 * MS);
        FakeNvml.Gpu c = stepping(U2, 55 * MS);
        try (NvmlSensor s = open(fake(a, b, c), Map.of("counterSchedule", "dense"), env(null))) {
            Reads[] r = run(s, 501, 6); // 5 s
            for (int ch = 0; ch < 6; ch += 2) {
                assertTrue(r[ch].tightBrackets() >= 15, "gpu" + ch / 2 + ": " + r[ch].tightBrackets() + " in 5 s");
            }
            assertEquals(1 + 1 + 500, a.fieldReads, "power field: one read at open, then on every sample");
        }
    }

    @Test
    void windowEnergiesFromTheSensorsTraceMatchTheTruthBetterAtUpdateMomentsThanAtReadInstants() throws Exception {
        double[] worst = worstWindowErrors(Map.of("counterSchedule", "dense"));
        assertTrue(worst[0] < 0.005, "update moments: worst 2 s window off by " + worst[0] * 100 + " %");
        assertTrue(worst[0] < worst[1] / 3, "update moments " + worst[0] * 100 + " % against read instants "
                + worst[1] * 100 + " %");
    }

    @Test
    void theAdaptiveScheduleKeepsWindowEnergiesAsCloseToTheTruthAsTheDenseOne() throws Exception {
        double[] dense = worstWindowErrors(Map.of("counterSchedule", "dense"));
        now.set(1_000 * MS);
        double[] adaptive = worstWindowErrors(Map.of("counterSchedule", "adaptive"));
        assertTrue(adaptive[0] < 0.005, "adaptive: worst 2 s window off by " + adaptive[0] * 100 + " %");
        assertTrue(adaptive[0] < Math.max(2 * dense[0], 0.0005), "adaptive " + adaptive[0] * 100 + " % against dense "
                + dense[0] * 100 + " %");
    }

    /** Power stepping between 150 and 650 W every 0.7 s from {@code start} (off the sample grid), and its exact integral. */
    private static final class SteppingLoad {
        private static final long STEP_NANOS = 700_000_003L;

        static java.util.function.LongToDoubleFunction watts(long start) {
            return t -> t < start ? 150 : 150 + 500 * (((t - start) / STEP_NANOS) % 2);
        }

        static java.util.function.LongToDoubleFunction joules(long start) {
            java.util.function.LongToDoubleFunction watts = watts(start);
            return t -> {
                double e = 0;
                long from = 0;
                while (from < t) {
                    long next = from < start ? start : start + ((from - start) / STEP_NANOS + 1) * STEP_NANOS;
                    long to = Math.min(t, next);
                    e += watts.applyAsDouble(from) * (to - from) * 1e-9;
                    from = to;
                }
                return e;
            };
        }
    }

    /**
     * Worst relative error of sixteen 2 s windows against the counter's exact integral, {at learned
     * update moments, at read instants}, over 20 s of a load stepping between 150 and 650 W.
     */
    private double[] worstWindowErrors(Map<String, String> options) throws Exception {
        // power steps between 150 and 650 W every 0.7 s, off the sample grid; the counter integrates them exactly
        long start = now.get();
        java.util.function.LongToDoubleFunction watts = SteppingLoad.watts(start);
        java.util.function.LongToDoubleFunction joules = SteppingLoad.joules(start);
        FakeNvml.Gpu a = stepping(U0, 41 * MS);
        a.joulesAt = joules;
        try (NvmlSensor s = open(fake(a), options, env(null))) {
            int n = 2001; // 20 s
            long[] t = new long[n];
            double[][] v = new double[2][n];
            double[] out = new double[2];
            for (int i = 0; i < n; i++) {
                if (i > 0) {
                    now.addAndGet(10 * MS + (i * 7919L % 5) * 100_000L); // 10-10.4 ms, as a real sampler jitters
                }
                a.watts = watts.applyAsDouble(now.get());
                s.sample(out, i == 0 || i == n - 1);
                t[i] = now.get();
                v[0][i] = out[0];
                v[1][i] = out[1];
            }
            PowerTrace trace = new PowerTrace(s.channels(), t, v);
            PowerSignal learned = PowerSignal.of(trace, 200 * MS, new CounterTiming(true, 100 * MS));
            PowerSignal reads = PowerSignal.of(trace, 200 * MS, CounterTiming.READS);
            double worstLearned = 0;
            double worstReads = 0;
            for (int w = 0; w < 16; w++) { // 2 s windows at offsets off every grid
                long from = t[0] + 1_000 * MS + w * 1_013 * MS / 2 + 3_331_000L * w;
                long to = from + 2_000 * MS;
                double truth = joules.applyAsDouble(to) - joules.applyAsDouble(from);
                worstLearned = Math.max(worstLearned, Math.abs(learned.energyJoules(from, to) / truth - 1));
                worstReads = Math.max(worstReads, Math.abs(reads.energyJoules(from, to) / truth - 1));
            }
            return new double[] {worstLearned, worstReads};
        }
    }

    /**
     * On an H200 the steps scatter about ±3 ms around their grid, so a wave's edge read within a
     * few ms of a step may fall on the other side of it than the learned phase says; placed on
     * the wrong side, its value moves a whole step of energy across the edge (seen on the GPU
     * with the adaptive schedule: two neighbouring waves +3.7 % and −3.8 %). Here every edge is
     * read 0.5-1.5 ms beside a step that scattered the other way.
     */
    @ParameterizedTest
    @ValueSource(strings = {"dense", "adaptive"})
    void waveEdgesReadBesideAScatteredStepStillGiveEachWaveItsEnergy(String schedule) throws Exception {
        long start = now.get();
        java.util.function.LongToDoubleFunction watts = SteppingLoad.watts(start);
        java.util.function.LongToDoubleFunction joules = SteppingLoad.joules(start);
        FakeNvml.Gpu a = stepping(U0, 41 * MS);
        a.counterJitterNanos = 3 * MS;
        a.joulesAt = joules;
        // the edges: after 8 s of learning, every 2.5-3.4 s, each just after an early step or just before a late one
        List<Long> edges = new ArrayList<>();
        long k = (start + 8_000 * MS - 41 * MS) / (100 * MS);
        while (edges.size() < 12) {
            long grid = 41 * MS + k * 100 * MS;
            long moment = FakeNvml.updateMoment(a, k);
            if (moment - grid <= -2 * MS) {
                edges.add(moment + 500_000L + (edges.size() % 3) * 500_000L); // saw the early step; the phase says not yet
                k += 25 + edges.size() % 9;
            } else if (moment - grid >= 2 * MS) {
                edges.add(moment - 500_000L - (edges.size() % 3) * 500_000L); // missed the late step; the phase says seen
                k += 25 + edges.size() % 9;
            } else {
                k++;
            }
        }
        try (NvmlSensor s = open(fake(a), Map.of("counterSchedule", schedule), env(null))) {
            List<Long> t = new ArrayList<>();
            List<double[]> v = new ArrayList<>();
            List<Long> boundaries = new ArrayList<>();
            int next = 0;
            long last = edges.get(edges.size() - 1) + 1_000 * MS;
            int i = 0;
            while (now.get() < last) {
                long step = 10 * MS + (i * 7919L % 5) * 100_000L;
                boolean boundary = i == 0;
                if (next < edges.size() && now.get() + step >= edges.get(next)) {
                    now.set(edges.get(next++));
                    boundary = true;
                    boundaries.add(now.get());
                } else if (i > 0) {
                    now.addAndGet(step);
                }
                a.watts = watts.applyAsDouble(now.get());
                double[] out = new double[2];
                s.sample(out, boundary || now.get() >= last);
                t.add(now.get());
                v.add(out);
                i++;
            }
            double[][] rows = new double[2][t.size()];
            for (int j = 0; j < t.size(); j++) {
                rows[0][j] = v.get(j)[0];
                rows[1][j] = v.get(j)[1];
            }
            PowerTrace trace = new PowerTrace(s.channels(), t.stream().mapToLong(Long::longValue).toArray(), rows);
            PowerSignal learned = PowerSignal.of(trace, 200 * MS, new CounterTiming(true, 100 * MS));
            double worst = 0;
            for (int w = 1; w < boundaries.size(); w++) {
                long from = boundaries.get(w - 1);
                long to = boundaries.get(w);
                double truth = joules.applyAsDouble(to) - joules.applyAsDouble(from);
                worst = Math.max(worst, Math.abs(learned.energyJoules(from, to) / truth - 1));
            }
            assertTrue(worst < 0.005, schedule + ": worst wave off by " + worst * 100 + " % (a step is ≈ 2-4 %)");
        }
    }

    @Test
    void onceThePhaseIsKnownADenseHuntCostsAboutTwoReads() throws Exception {
        FakeNvml.Gpu a = stepping(U0, 37 * MS);
        a.counterJitterNanos = 3 * MS;
        long start = now.get();
        try (NvmlSensor s = open(fake(a), Map.of("counterSchedule", "dense"), env(null))) {
            Reads r = runJittered(s, 3001, 2)[0]; // ≈ 30.6 s
            long late = readsBetween(r, start + 10_000 * MS, start + 30_000 * MS);
            int tight = 0;
            for (int i = 1; i < r.times().size(); i++) {
                if (r.times().get(i) >= start + 10_000 * MS && r.times().get(i) < start + 30_000 * MS
                        && 2 * (r.times().get(i) - r.times().get(i - 1)) <= 100 * MS
                        && !r.joules().get(i).equals(r.joules().get(i - 1))) {
                    tight++;
                }
            }
            assertTrue(tight >= 60, tight + " tight brackets in 20 s: still about three a second");
            // aimed at the predicted step, a hunt's first read is the last sample before it: 2.4 reads a bracket
            // here, where hunts begun a lead of 15 ms and a sample before the step took 3.4
            assertTrue(late <= 2.6 * tight, late + " reads for " + tight + " brackets: the hunts are not aimed at the step");
        }
    }

    @Test
    void counterPeriodSpacesTheHunts() throws Exception {
        FakeNvml.Gpu a = stepping(U0, 20 * MS);
        try (NvmlSensor s = open(fake(a), Map.of("counterPeriod", "1s"), env(null))) {
            Reads r = run(s, 1001, 2)[0];
            assertEquals(10, r.tightBrackets(), 1, "one bracket a second");
            assertTrue(a.counterReads <= 1 + 2 + 10 * 4, a.counterReads + " reads");
        }
    }

    /** Like {@link #run} but with gaps of 10-10.4 ms, as a real sampler jitters. */
    private Reads[] runJittered(NvmlSensor s, int samples, int channels) {
        Reads[] reads = new Reads[channels];
        for (int c = 0; c < channels; c++) {
            reads[c] = new Reads(new ArrayList<>(), new ArrayList<>());
        }
        double[] out = new double[channels];
        for (int i = 0; i < samples; i++) {
            if (i > 0) {
                now.addAndGet(10 * MS + (i * 7919L % 5) * 100_000L);
            }
            s.sample(out, i == 0 || i == samples - 1);
            for (int c = 0; c < channels; c++) {
                if (!Double.isNaN(out[c])) {
                    reads[c].times.add(now.get());
                    reads[c].joules.add(out[c]);
                }
            }
        }
        return reads;
    }

    /** Counter reads of {@code r} taken in [from, to), boundaries included. */
    private static long readsBetween(Reads r, long from, long to) {
        return r.times().stream().filter(t -> t >= from && t < to).count();
    }

    @Test
    void theAdaptiveScheduleLearnsDenselyThenReadsAboutOnceASecondInTightTwoReadBrackets() throws Exception {
        FakeNvml.Gpu a = stepping(U0, 37 * MS);
        long start = now.get();
        try (NvmlSensor s = open(fake(a), Map.of("counterSchedule", "adaptive"), env(null))) {
            Reads r = runJittered(s, 3001, 2)[0]; // ≈ 30.6 s
            Reads early = new Reads(r.times().subList(0, (int) readsBetween(r, start, start + 4_000 * MS)),
                    r.joules().subList(0, (int) readsBetween(r, start, start + 4_000 * MS)));
            assertTrue(early.tightBrackets() >= NvmlSensor.LEARNED_BRACKETS,
                    early.tightBrackets() + " tight brackets in the first 4 s: the phase is learned densely first");
            long late = readsBetween(r, start + 10_000 * MS, start + 30_000 * MS);
            assertTrue(late <= 30, late + " counter reads in 20 s after learning: at most 1.5 a second");
            assertTrue(late >= 2 * 10, late + " counter reads in 20 s after learning: a two-read bracket every 1.9 s");
            int lateTight = r.tightBrackets() - early.tightBrackets();
            assertTrue(lateTight >= 13, lateTight + " tight brackets in the 26.6 s after learning: one every 1.9 s");
            // the brackets still teach the learner the true moments
            long[] t = r.times().stream().mapToLong(Long::longValue).toArray();
            double[] v = r.joules().stream().mapToDouble(Double::doubleValue).toArray();
            org.tokenpowerbench.energy.CounterUpdates u = org.tokenpowerbench.energy.CounterUpdates.learn(t, v, 100 * MS);
            assertTrue(u.atUpdateMoments(), u.describe());
            long[] moments = u.times();
            for (int i = 1; i < moments.length - 1; i++) {
                long offset = Math.floorMod(moments[i] - 37 * MS, 100 * MS);
                assertTrue(Math.min(offset, 100 * MS - offset) <= 5 * MS, "moment " + i + " off an update: " + u.describe());
            }
        }
    }

    @Test
    void theAdaptiveScheduleGoesBackToDenseHuntsWhenTheStepsLeaveThePredictedPhase() throws Exception {
        FakeNvml.Gpu a = stepping(U0, 37 * MS);
        long start = now.get();
        try (NvmlSensor s = open(fake(a), Map.of("counterSchedule", "adaptive"), env(null))) {
            runJittered(s, 1001, 2); // ≈ 10.2 s: learned and sparse
            int before = a.counterReads;
            a.counterUpdatePhaseNanos = 81 * MS; // the grid moves (a driver or clock change)
            long moved = now.get();
            Reads r = runJittered(s, 2001, 2)[0]; // ≈ 20.4 s more
            Reads relearning = new Reads(r.times().subList(0, (int) readsBetween(r, moved, moved + 6_000 * MS)),
                    r.joules().subList(0, (int) readsBetween(r, moved, moved + 6_000 * MS)));
            assertTrue(relearning.tightBrackets() >= NvmlSensor.LEARNED_BRACKETS,
                    relearning.tightBrackets() + " tight brackets within 6 s of the move: dense hunts again");
            long late = readsBetween(r, moved + 10_000 * MS, moved + 20_000 * MS);
            assertTrue(late <= 15, late + " counter reads in the last 10 s: sparse again once relearned");
            assertTrue(a.counterReads - before > late, "relearning read more than the sparse schedule");
            assertTrue(now.get() - start > 30_000 * MS);
        }
    }

    @Test
    void theAdaptiveScheduleKeepsEightGpusOnOneGridUnderOneAndAHalfReadsASecondEach() throws Exception {
        FakeNvml.Gpu[] g = new FakeNvml.Gpu[8];
        for (int i = 0; i < g.length; i++) {
            g[i] = stepping(String.format("GPU-%08d-aaaa-bbbb-cccc-000000000000", i), 23 * MS); // as replicas=8 presents one GPU
        }
        long start = now.get();
        try (NvmlSensor s = open(fake(g), Map.of("counterSchedule", "adaptive"), env(null))) {
            Reads[] r = runJittered(s, 3001, 16);
            for (int i = 0; i < g.length; i++) {
                long late = readsBetween(r[2 * i], start + 15_000 * MS, start + 30_000 * MS);
                assertTrue(late <= 22, "gpu" + i + ": " + late + " counter reads in 15 s after learning");
                assertTrue(r[2 * i].tightBrackets() >= 20, "gpu" + i + ": " + r[2 * i].tightBrackets() + " tight brackets in 30 s");
            }
        }
    }

    @Test
    void aCounterFreshAtEveryReadEndsEachHuntAtItsSecondRead() throws Exception {
        FakeNvml.Gpu a = FakeNvml.h200(U0);
        try (NvmlSensor s = open(fake(a), Map.of(), env(null))) {
            run(s, 301, 2);
            // hunts at about 0, 0.3, ..., 3 s: two reads each, plus the open's probe and two boundaries
            assertEquals(1 + 2 + 2 * 10, a.counterReads, 2);
        }
    }

    @Test
    void withoutTheInstantFieldPowerFallsBackToTheAveragedReadingLabelledSo() throws Exception {
        FakeNvml.Gpu g = new FakeNvml.Gpu(U0, "NVIDIA A100-SXM4-80GB");
        g.instantField = false;
        try (NvmlSensor s = open(fake(g), Map.of(), env(null))) {
            assertEquals("gpu0.power-avg1s", s.channels().get(1).name());
            NvmlMetadata.Gpu d = s.metadata().gpus().get(0);
            assertEquals(PowerSource.AVERAGED_POWER_USAGE, d.powerSource());
            assertEquals("Not Supported (3)", d.probes().get(1).detail());
            assertTrue(d.probes().get(2).detail().startsWith("ok (fallback"));
            double[] out = new double[2];
            s.sample(out, false);
            assertEquals(100.0, out[1]);
        }
    }

    @Test
    void aGpuWithoutCounterHasPowerOnly() throws Exception {
        FakeNvml.Gpu old = new FakeNvml.Gpu(U1, "Tesla T4");
        old.counter = false;
        try (NvmlSensor s = open(fake(FakeNvml.h200(U0), old), Map.of(), env(null))) {
            assertEquals(List.of("gpu0.counter", "gpu0.power", "gpu1.power"),
                    s.channels().stream().map(PowerChannel::name).toList());
            assertFalse(s.metadata().gpus().get(1).energyCounter());
            assertEquals("sampled", s.metadata().asProperties().get("nvml.gpu1.energy"));
            assertTrue(s.metadata().gpus().get(1).probes().get(0).detail().contains("Not Supported (3)"));
            double[] out = new double[3];
            s.sample(out, true);
            assertEquals(100.0, out[2]);
        }
    }

    @Test
    void aGpuWithNothingIsLeftOutAndNothingAtAllIsUnavailable() throws Exception {
        FakeNvml.Gpu none = FakeNvml.h200(U1);
        none.counter = false;
        none.instantField = false;
        none.powerUsage = false;
        try (NvmlSensor s = open(fake(FakeNvml.h200(U0), none), Map.of(), env(null))) {
            assertEquals(2, s.channels().size());
            assertTrue(s.metadata().visibilityNotes().stream()
                    .anyMatch(n -> n.contains("neither an energy counter nor a power reading")), s.metadata().visibilityNotes().toString());
        }
        FakeNvml only = fake(none);
        SensorUnavailableException e = assertThrows(SensorUnavailableException.class, () -> open(only, Map.of(), env(null)));
        assertTrue(e.getMessage().startsWith("no chosen GPU offers"), e.getMessage());
        assertEquals(only.inits, only.shutdowns, "NVML shut down after a failed open");
    }

    @Test
    void cudaVisibleDevicesDecidesWhichGpuIsGpu0() throws Exception {
        FakeNvml nvml = fake(FakeNvml.h200(U0), FakeNvml.h200(U1), FakeNvml.h200(U2));
        try (NvmlSensor s = open(nvml, Map.of(), env("2,GPU-1111"))) {
            assertEquals(List.of(U2, U2, U0, U0), s.channels().stream().map(PowerChannel::device).toList());
            assertEquals(2, s.metadata().gpus().get(0).nvmlIndex());
            assertEquals(0, s.metadata().gpus().get(0).visibleIndex());
            assertEquals("2,GPU-1111", s.metadata().cudaVisibleDevices());
        }
        try (NvmlSensor s = open(nvml, Map.of("gpus", "1"), env("2,GPU-1111"))) {
            assertEquals(List.of("gpu1.counter", "gpu1.power"), s.channels().stream().map(PowerChannel::name).toList());
            assertEquals(U0, s.channels().get(0).device());
        }
        try (NvmlSensor s = open(nvml, Map.of(), env("1,7,0"))) {
            assertEquals(1, s.metadata().gpus().size());
            assertTrue(s.metadata().visibilityNotes().get(0).contains("entry 2 '7' is out of range"));
        }
        assertEquals(nvml.inits, nvml.shutdowns);
    }

    @Test
    void autoReadsCountersOnBoundariesWhereThereAreAnyAndIsRecorded() throws Exception {
        FakeNvml.Gpu powerOnly = FakeNvml.h200(U0);
        powerOnly.counter = false;
        try (NvmlSensor none = open(fake(powerOnly), Map.of(), env(null))) {
            assertEquals("dense (auto: 0 GPU counters)", none.metadata().asProperties().get("nvml.counterSchedule"));
        }
        FakeNvml nvml = fake(FakeNvml.h200(U0), FakeNvml.h200(U1));
        try (NvmlSensor one = open(nvml, Map.of("gpus", "1"), env(null))) {
            assertEquals("boundaries (auto: 1 GPU counter)", one.metadata().asProperties().get("nvml.counterSchedule"));
        }
        try (NvmlSensor both = open(nvml, Map.of(), env(null))) {
            assertEquals("boundaries (auto: 2 GPU counters)", both.metadata().asProperties().get("nvml.counterSchedule"));
        }
        try (NvmlSensor asked = open(nvml, Map.of("counterSchedule", "dense"), env(null))) {
            assertEquals("dense", asked.metadata().asProperties().get("nvml.counterSchedule"));
        }
    }

    @Test
    void hiddenGpusMigAndBadIndicesGiveOneLine() {
        FakeNvml nvml = fake(FakeNvml.h200(U0), FakeNvml.h200(U1));
        SensorUnavailableException empty = assertThrows(SensorUnavailableException.class,
                () -> open(nvml, Map.of(), env("")));
        assertEquals("CUDA_VISIBLE_DEVICES='' hides every GPU; unset it or name GPUs by index or GPU- UUID,"
                + " or drop -prof nvml", empty.getMessage());
        SensorUnavailableException minus = assertThrows(SensorUnavailableException.class,
                () -> open(nvml, Map.of(), env("-1")));
        assertTrue(minus.getMessage().contains("entry 1 '-1' is neither an index nor a GPU- UUID"), minus.getMessage());
        SensorUnavailableException mig = assertThrows(SensorUnavailableException.class,
                () -> open(nvml, Map.of(), env("MIG-0f0f0f0f-1111-2222-3333-444455556666")));
        assertTrue(mig.getMessage().contains("MIG instance"), mig.getMessage());
        SensorUnavailableException range = assertThrows(SensorUnavailableException.class,
                () -> open(nvml, Map.of("gpus", "0,2"), env("1,0")));
        assertEquals("-prof nvml: gpus=0,2 names GPU 2 but 2 GPU(s) are visible (CUDA_VISIBLE_DEVICES=1,0);"
                + " use indices 0..1", range.getMessage());
        for (SensorUnavailableException e : List.of(empty, minus, mig, range)) {
            assertFalse(e.getMessage().contains("\n"), "one line");
        }
        assertEquals(4, nvml.inits);
        assertEquals(4, nvml.shutdowns, "every failed open shuts NVML down");
    }

    @Test
    void initFailuresSayWhatIsWrong() {
        FakeNvml nvml = fake(FakeNvml.h200(U0));
        nvml.initResult = NvmlReturn.DRIVER_NOT_LOADED;
        SensorUnavailableException e = assertThrows(SensorUnavailableException.class, () -> open(nvml, Map.of(), env(null)));
        assertEquals("NVML unavailable: the NVIDIA kernel driver is not loaded (nvmlInit_v2 failed: Driver Not Loaded (9));"
                + " fix the driver or drop -prof nvml", e.getMessage());
        assertEquals(0, nvml.shutdowns, "no shutdown without a successful init");
        FakeNvml empty = fake();
        SensorUnavailableException none = assertThrows(SensorUnavailableException.class, () -> open(empty, Map.of(), env(null)));
        assertTrue(none.getMessage().startsWith("NVML sees no GPU"), none.getMessage());
        assertEquals(1, empty.shutdowns);
    }

    @Test
    void aFailedReadWritesNaNAndIsCounted() throws Exception {
        FakeNvml.Gpu g = FakeNvml.h200(U0);
        try (NvmlSensor s = open(fake(g), Map.of(), env(null))) {
            g.failingCounterReads = 1;
            double[] out = new double[2];
            s.sample(out, true);
            assertTrue(Double.isNaN(out[0]));
            assertEquals(100.0, out[1]);
            assertEquals(1, s.readErrors());
            assertTrue(s.lastError().contains("GPU is lost (15)"), s.lastError());
            now.addAndGet(100 * MS);
            s.sample(out, true);
            assertEquals(10.0, out[0], 1e-9);
        }
    }

    @Test
    void aCounterRestartKeepsTheChannelMonotonic() throws Exception {
        FakeNvml.Gpu g = FakeNvml.h200(U0);
        try (NvmlSensor s = open(fake(g), Map.of(), env(null))) {
            double[] out = new double[2];
            now.addAndGet(1000 * MS);
            s.sample(out, true);
            assertEquals(100.0, out[0], 1e-9);
            g.counterResetAtNanos = now.get() + 500 * MS;
            now.addAndGet(1000 * MS);
            s.sample(out, true);
            assertEquals(150.0, out[0], 1e-9, "energy before the restart is kept; the lost 0.5 s is not invented");
            assertEquals(1, s.counterRestarts());
        }
    }

    @Test
    void closeShutsDownOnceAndLaterSamplesAreNaN() throws Exception {
        FakeNvml nvml = fake(FakeNvml.h200(U0));
        NvmlSensor s = open(nvml, Map.of(), env(null));
        s.close();
        s.close();
        assertEquals(1, nvml.shutdowns);
        double[] out = {1, 1};
        s.sample(out, true);
        assertTrue(Double.isNaN(out[0]) && Double.isNaN(out[1]));
    }
}
