package org.tokenpowerbench.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

    /** Half a bucket: the most a bucket's middle can sit from a value recorded in it. */
    private static final double HALF_BUCKET = Math.sqrt(LatencyHistogram.GROWTH) - 1;

    @Test
    void quantilesSitWithinHalfABucketOfTheNearestRankValue() {
        SplittableRandom random = new SplittableRandom(7);
        for (int trial = 0; trial < 50; trial++) {
            int n = 1 + random.nextInt(5_000);
            double[] v = new double[n];
            LatencyHistogram h = new LatencyHistogram();
            for (int i = 0; i < n; i++) {
                // log-normal around 20 ms with a heavy tail: the shape decode gaps have
                v[i] = 20 * Math.exp(random.nextGaussian() * (trial % 2 == 0 ? 0.1 : 1.5));
                h.record(v[i]);
            }
            Arrays.sort(v);
            for (double q : new double[] {0.01, 0.25, 0.5, 0.9, 0.99, 0.999}) {
                double exact = v[(int) Math.ceil(q * n) - 1]; // nearest rank
                assertEquals(exact, h.quantile(q), exact * HALF_BUCKET * 1.0001, "q=" + q + " n=" + n);
            }
            assertEquals(v[0], h.min());
            assertEquals(v[n - 1], h.max());
            assertEquals(v[0], h.quantile(0));
            assertEquals(v[n - 1], h.quantile(1));
            assertEquals(n, h.weight());
            assertEquals(Arrays.stream(v).average().orElseThrow(), h.mean(), 1e-9 * h.mean());
        }
    }

    @Test
    void memoryIsBoundedByTheRangeNotTheCount() {
        LatencyHistogram h = new LatencyHistogram();
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < 2_000_000; i++) {
            h.record(1 + 99 * random.nextDouble()); // 1 to 100 ms
        }
        int bound = (int) Math.ceil(Math.log(100) / Math.log(LatencyHistogram.GROWTH)) + 1;
        assertTrue(h.buckets() <= bound, h.buckets() + " buckets for a range that has " + bound);
        assertEquals(2_000_000, h.weight());
    }

    @Test
    void weightsMayBeFractionalAndTheSumIsExact() {
        LatencyHistogram h = new LatencyHistogram();
        h.record(10, 2.5);
        h.record(40, 0.5);
        assertEquals(3.0, h.weight());
        assertEquals(45.0, h.sum(), 1e-12);
        assertEquals(15.0, h.mean(), 1e-12);
        assertEquals(10.0, h.quantile(0.5), 10 * HALF_BUCKET);
        assertEquals(40.0, h.quantile(0.9), 40 * HALF_BUCKET, "the top sixth of the weight is at 40 ms");
    }

    @Test
    void mergingEqualsRecordingEverythingInOne() {
        SplittableRandom random = new SplittableRandom(3);
        LatencyHistogram all = new LatencyHistogram();
        LatencyHistogram merged = new LatencyHistogram();
        for (int part = 0; part < 20; part++) {
            LatencyHistogram one = new LatencyHistogram();
            for (int i = random.nextInt(200); i > 0; i--) {
                double v = random.nextDouble() * 50;
                one.record(v);
                all.record(v);
            }
            merged.addAll(one);
        }
        assertEquals(all.weight(), merged.weight());
        assertEquals(all.sum(), merged.sum(), 1e-9);
        assertEquals(all.min(), merged.min());
        assertEquals(all.max(), merged.max());
        assertEquals(all.buckets(), merged.buckets());
        for (double q = 0.05; q < 1; q += 0.05) {
            assertEquals(all.quantile(q), merged.quantile(q), 0.0, "q=" + q);
        }
    }

    @Test
    void dividingSplitsEachObservationAndKeepsTheSum() {
        LatencyHistogram gaps = new LatencyHistogram();
        gaps.record(30);
        gaps.record(60);
        LatencyHistogram itl = gaps.divided(3);
        assertEquals(6.0, itl.weight());
        assertEquals(90.0, itl.sum(), 1e-12);
        assertEquals(10.0, itl.min(), 1e-12);
        assertEquals(20.0, itl.max(), 1e-12);
        assertEquals(10.0, itl.quantile(0.5), 10 * 2 * HALF_BUCKET * 1.0001, "re-binned: at most one more half bucket");
        LatencyHistogram same = gaps.divided(1);
        assertEquals(gaps.quantile(0.5), same.quantile(0.5), 0.0, "no rounding when nothing is divided");
        assertEquals(2.0, gaps.weight(), "the original is untouched");
    }

    @Test
    void zerosHaveTheirOwnBucket() {
        LatencyHistogram h = new LatencyHistogram();
        h.record(0);
        h.record(0);
        h.record(5);
        assertEquals(0.0, h.quantile(0.5));
        assertEquals(0.0, h.min());
        assertEquals(5.0, h.quantile(0.9), 5 * HALF_BUCKET);
    }

    @Test
    void emptyIsNanAndBadValuesAreRefusedByName() {
        LatencyHistogram h = new LatencyHistogram();
        assertTrue(Double.isNaN(h.mean()));
        assertTrue(Double.isNaN(h.quantile(0.5)));
        assertTrue(Double.isNaN(h.max()));
        assertEquals(0, Distribution.of(h).count());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> h.record(-1));
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> h.record(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> h.record(Double.POSITIVE_INFINITY));
        assertThrows(IllegalArgumentException.class, () -> h.record(1, -2));
        assertThrows(IllegalArgumentException.class, () -> h.quantile(1.5));
        assertThrows(IllegalArgumentException.class, () -> h.divided(0));
    }

    @Test
    void distributionOfAHistogramAgreesWithTheExactOne() {
        SplittableRandom random = new SplittableRandom(11);
        double[] v = new double[100_000];
        LatencyHistogram h = new LatencyHistogram();
        for (int i = 0; i < v.length; i++) {
            v[i] = 5 + random.nextDouble() * 30;
            h.record(v[i]);
        }
        Distribution exact = Distribution.of(v);
        Distribution summary = Distribution.of(h);
        assertEquals(exact.count(), summary.count());
        assertEquals(exact.mean(), summary.mean(), 1e-9 * exact.mean());
        assertEquals(exact.max(), summary.max());
        assertEquals(exact.p50(), summary.p50(), exact.p50() * 0.003);
        assertEquals(exact.p90(), summary.p90(), exact.p90() * 0.003);
        assertEquals(exact.p99(), summary.p99(), exact.p99() * 0.003);
    }
}
