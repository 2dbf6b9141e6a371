package org.tokenpowerbench.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class IntervalCoverageTest {

    @Test
    void aRunCoversWhenTheOthersMeanLiesInsideItsInterval() {
        // means 10, 10, 13: the first two see others' means 11.5; the third sees 10
        IntervalCoverage.Run a = new IntervalCoverage.Run("a", new double[] {9.9, 10.0, 10.1}, Double.NaN);
        IntervalCoverage.Run b = new IntervalCoverage.Run("b", new double[] {10.0, 10.0, 10.0}, 2.0);
        IntervalCoverage.Run c = new IntervalCoverage.Run("c", new double[] {13.0}, 3.5);
        // a: t(0.975,2)·0.1/√3 = 0.248, misses 1.5; b: spread 0, budget 2 ≥ 1.5 covers; c: budget 3.5 ≥ 3 covers
        assertEquals(0.1 * 4.302653 / Math.sqrt(3), a.halfWidth(), 1e-5);
        assertEquals(2, IntervalCoverage.covering(List.of(a, b, c)));
    }
}
