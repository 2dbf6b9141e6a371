package org.tokenpowerbench.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DistributionTest {

    private static final double EPS = 1e-9;

    @Test
    void r7PercentilesOfOneToHundred() {
        double[] v = IntStream.rangeClosed(1, 100).asDoubleStream().toArray();
        Distribution d = Distribution.of(v);
        assertEquals(100, d.count());
        assertEquals(50.5, d.mean(), EPS);
        assertEquals(50.5, d.p50(), EPS);
        assertEquals(90.1, d.p90(), EPS);
        assertEquals(99.01, d.p99(), EPS);
        assertEquals(100.0, d.max(), EPS);
    }

    @Test
    void unsortedInputIsSorted() {
        double[] v = IntStream.rangeClosed(1, 100).map(i -> 101 - i).asDoubleStream().toArray();
        Distribution d = Distribution.of(v);
        assertEquals(50.5, d.p50(), EPS);
        assertEquals(90.1, d.p90(), EPS);
        assertEquals(99.01, d.p99(), EPS);
        assertEquals(100.0, d.max(), EPS);
    }

    @Test
    void smallSamples() {
        Distribution two = Distribution.of(new double[] {2, 1});
        assertEquals(1.5, two.p50(), EPS);
        assertEquals(1.9, two.p90(), EPS);
        assertEquals(1.99, two.p99(), EPS);
        assertEquals(1.5, two.mean(), EPS);

        Distribution one = Distribution.of(new double[] {7});
        assertEquals(1, one.count());
        assertEquals(7, one.p50(), EPS);
        assertEquals(7, one.p90(), EPS);
        assertEquals(7, one.p99(), EPS);
        assertEquals(7, one.max(), EPS);
        assertEquals(7, one.mean(), EPS);
    }

    @Test
    void matchesNumpyOnAnIrregularSample() {
        // numpy.percentile([3, 1, 4, 1, 5, 9, 2, 6, 5, 3], [50, 90, 99]) = [3.5, 6.3, 8.73]
        Distribution d = Distribution.of(new double[] {3, 1, 4, 1, 5, 9, 2, 6, 5, 3});
        assertEquals(3.5, d.p50(), EPS);
        assertEquals(6.3, d.p90(), EPS);
        assertEquals(8.73, d.p99(), EPS);
        assertEquals(3.9, d.mean(), EPS);
        assertEquals(9, d.max(), EPS);
    }

    @Test
    void nanAndInfinitiesAreLeftOut() {
        Distribution d = Distribution.of(new double[] {Double.NaN, 1, Double.POSITIVE_INFINITY, 2, Double.NaN, 3,
                Double.NEGATIVE_INFINITY});
        assertEquals(3, d.count());
        assertEquals(2.0, d.mean(), EPS);
        assertEquals(2.0, d.p50(), EPS);
        assertEquals(3.0, d.max(), EPS);
    }

    @Test
    void emptyAndAllNanSamplesAreNaN() {
        for (double[] v : new double[][] {{}, {Double.NaN, Double.NaN}}) {
            Distribution d = Distribution.of(v);
            assertEquals(0, d.count());
            assertTrue(Double.isNaN(d.mean()));
            assertTrue(Double.isNaN(d.p50()));
            assertTrue(Double.isNaN(d.p90()));
            assertTrue(Double.isNaN(d.p99()));
            assertTrue(Double.isNaN(d.max()));
        }
    }

    @Test
    void inputIsNotModified() {
        double[] v = {3, 1, 2};
        Distribution.of(v);
        assertEquals(3, v[0]);
        assertEquals(1, v[1]);
        assertEquals(2, v[2]);
    }

    @Test
    void quantileEnds() {
        double[] sorted = {1, 2, 3, 4};
        assertEquals(1, Distribution.quantile(sorted, 0), EPS);
        assertEquals(4, Distribution.quantile(sorted, 1), EPS);
        assertEquals(2.5, Distribution.quantile(sorted, 0.5), EPS);
    }
}
