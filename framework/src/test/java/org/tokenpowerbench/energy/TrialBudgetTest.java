package org.tokenpowerbench.energy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.commons.math3.distribution.TDistribution;
import org.junit.jupiter.api.Test;

/** The trial's budget: the between-runs term from fork means of known spread, and its absence said. */
class TrialBudgetTest {

    /** JMH's 99.9 % error for a 95 % half-width {@code h95} over {@code n} samples. */
    private static double jmhError(double h95, long n) {
        TDistribution t = new TDistribution(n - 1);
        return h95 * t.inverseCumulativeProbability(0.9995) / t.inverseCumulativeProbability(0.975);
    }

    @Test
    void forkMeansOfKnownSpreadWidenTheIntervalByTheirPredictionHalfWidth() {
        // three forks 2 % apart: s = 0.02, t(0.975, 2) = 4.3027, sqrt(2/3)
        double[] forks = {0.98, 1.00, 1.02};
        double expected = 4.302652729911275 * 0.02 * Math.sqrt(2.0 / 3);
        assertEquals(expected, TrialBudget.betweenRuns(forks), 1e-9);

        TrialBudget b = TrialBudget.of(jmhError(0.003, 9), 9, 0.004, forks);
        assertEquals(0.003, b.iterations(), 1e-9);
        assertEquals(0.004, b.measurement(), 1e-9);
        assertEquals(Math.sqrt(0.003 * 0.003 + 0.004 * 0.004 + expected * expected), b.halfWidth(), 1e-9);
        assertTrue(b.betweenRunsMeasured());
        assertNull(b.betweenRunsNote());
        assertEquals(3, b.forks());

        // twice the spread, twice the term; the same means in another order, the same term
        assertEquals(2 * expected, TrialBudget.betweenRuns(new double[] {0.96, 1.00, 1.04}), 1e-9);
        assertEquals(expected, TrialBudget.betweenRuns(new double[] {1.02, 0.98, 1.00}), 1e-9);
        // forks that agree add nothing
        assertEquals(0.005, TrialBudget.of(jmhError(0.003, 9), 9, 0.004, new double[] {1, 1, 1}).halfWidth(), 1e-9);
    }

    @Test
    void oneForkLeavesTheTermOutAndSaysHowToGetIt() {
        TrialBudget one = TrialBudget.of(jmhError(0.003, 5), 5, 0.004, new double[] {1.0});
        assertFalse(one.betweenRunsMeasured());
        assertEquals("one fork: between-runs spread not measured; run -f 3 to include it", one.betweenRunsNote());
        assertEquals(0.005, one.halfWidth(), 1e-12);
        TrialBudget unknown = TrialBudget.of(Double.NaN, 1, Double.NaN, new double[0]);
        assertFalse(unknown.hasWidth());
        assertTrue(unknown.betweenRunsNote().startsWith("fork means not recorded"), unknown.betweenRunsNote());
        assertTrue(Double.isNaN(TrialBudget.betweenRuns(new double[] {1.0, Double.NaN})));
    }
}
