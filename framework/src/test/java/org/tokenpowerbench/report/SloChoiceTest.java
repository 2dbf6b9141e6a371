package org.tokenpowerbench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tokenpowerbench.UserError;
import org.tokenpowerbench.axes.Axis;
import org.tokenpowerbench.axes.AxisValues;

/**
 * The best setting under objectives, on a sweep whose answer is known: four batch sizes, energy
 * falling and latency rising with the batch.
 */
public class SloChoiceTest {

    /** batch -> J/outputToken, TTFT p50 ms, TPOT p50 ms. */
    static final Map<Integer, double[]> SWEEP = new LinkedHashMap<>();

    static {
        SWEEP.put(1, new double[] {1.0, 100, 20});
        SWEEP.put(2, new double[] {0.6, 150, 30});
        SWEEP.put(4, new double[] {0.4, 300, 45});
        SWEEP.put(8, new double[] {0.3, 700, 80});
    }

    public static List<TrialResult> trials() {
        return SWEEP.entrySet().stream().map(e -> {
            Map<String, Metric> m = new LinkedHashMap<>();
            m.put("nvml.J/outputToken", new Metric(e.getValue()[0], Double.NaN, "J/outputToken", 3));
            m.put("ttft.p50", new Metric(e.getValue()[1], Double.NaN, "ms", 3));
            m.put("tpot.p50", new Metric(e.getValue()[2], Double.NaN, "ms", 3));
            return new TrialResult("demo.Bench.wave", Map.of("batch", String.valueOf(e.getKey())),
                    new Metric(1, Double.NaN, "s/op", 3), m);
        }).toList();
    }

    @Test
    void theLeastEnergyThatMeetsEveryObjectiveAndItsMarginOverTheNext() {
        List<SloChoice> choices = SloChoice.of(trials(), ServiceObjectives.parse("ttft=500ms,tpot=50ms"));
        assertEquals(1, choices.size());
        SloChoice c = choices.get(0);
        assertEquals("batch=4", c.name().get(c.best()), "batch 8 is cheaper but misses both objectives");
        assertEquals("batch=2", c.name().get(c.next()));
        assertEquals(1 - 0.4 / 0.6, c.margin(), 1e-12);
        assertEquals(3, c.meeting());
        assertTrue(c.sentence().contains("batch=4 takes the least nvml.J/outputToken of the 3 of 4 trials"), c.sentence());
        assertTrue(c.sentence().contains("33.3 % less than the next, batch=2 (0.6 J)"), c.sentence());
        assertTrue(c.sentence().contains("ttft.p50 ≤ 500 ms, tpot.p50 ≤ 50 ms"), c.sentence());
    }

    @Test
    void secondsAndATailPercentileAreUnderstoodAndAnUnmeasuredOneIsNotMet() {
        ServiceObjectives slo = ServiceObjectives.parse("e2e.p99=2s, TTFT=0.2s");
        assertEquals(List.of(new ServiceObjectives.Objective("e2e.p99", 2000), new ServiceObjectives.Objective("ttft.p50", 200)),
                slo.objectives());
        SloChoice c = SloChoice.of(trials(), slo).get(0);
        assertNull(c.best(), "no trial measured e2e.p99");
        assertTrue(c.sentence().contains("none of the 4 measured trials meets every objective"), c.sentence());
    }

    @Test
    void theOnlyTrialThatMeetsThemHasNoRunnerUp() {
        SloChoice c = SloChoice.of(trials(), ServiceObjectives.parse("tpot=25")).get(0);
        assertEquals("batch=1", c.name().get(c.best()));
        assertNull(c.next());
        assertTrue(c.sentence().endsWith("no other trial meets them."), c.sentence());
    }

    @Test
    void badObjectivesAreOneLineThatSaysWhatIsAccepted() {
        for (String bad : List.of("ttft", "speed=1ms", "ttft.p95=1ms", "ttft=fast", "ttft=0", "ttft.p50.x=1")) {
            UserError e = assertThrows(UserError.class, () -> ServiceObjectives.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("report --slo: "), e.getMessage());
            assertEquals(1, e.getMessage().lines().count());
        }
    }

    @Test
    void theBenchmarksSloComesFromTrialAxesAndAZeroIsNoObjective(@TempDir Path dir) throws Exception {
        RunDirectory run = new RunDirectory(dir);
        AxisValues values = new AxisValues() {
            @Override
            public boolean has(Axis axis) {
                return true;
            }

            @Override
            public Object get(Axis axis) {
                return switch (axis) {
                    case SLO_TTFT_MS -> 500.0;
                    case SLO_TPOT_MS -> 50.0;
                    case SLO_E2E_MS -> 0.0;
                    case MODEL -> "m, with a comma";
                    default -> axis.defaultValue();
                };
            }
        };
        TrialAxesFile.append(run, new TrialKey("demo.Bench", "batch=1"), values);
        ServiceObjectives slo = ServiceObjectives.fromRunFolder(dir);
        assertEquals(List.of(new ServiceObjectives.Objective("ttft.p50", 500), new ServiceObjectives.Objective("tpot.p50", 50)),
                slo.objectives());
        assertEquals("@Slo", slo.source());
        assertTrue(ServiceObjectives.fromRunFolder(dir.resolve("none")).isEmpty(), "no trial-axes.csv: no objectives");

        List<String> lines = ConsoleSummary.lines(new SweepState(dir, 4, 4, trials(), List.of()));
        assertTrue(lines.get(lines.size() - 1).contains("(@Slo): batch=4 takes the least nvml.J/outputToken"),
                String.join("\n", lines));
    }
}
