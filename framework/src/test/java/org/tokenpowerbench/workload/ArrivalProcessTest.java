package org.tokenpowerbench.workload;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The arrival generator, checked statistically on its draws (never on wall time). */
class ArrivalProcessTest {

    private static final int DRAWS = 40_000;

    @Test
    void sameSeedSameScheduleOtherSeedOtherSchedule() {
        ArrivalProcess p = ArrivalProcess.of(4, "gamma", 0.5);
        long[] a = p.offsetsNanos(200, 11);
        assertArrayEquals(a, p.offsetsNanos(200, 11));
        assertFalse(Arrays.equals(a, p.offsetsNanos(200, 12)));
        assertEquals(0, a[0], "the first request arrives when the wave starts");
        for (int i = 1; i < a.length; i++) {
            assertTrue(a[i] >= a[i - 1], "arrivals are in order");
        }
        // a longer schedule starts with the shorter one: warm-up and measured share one draw
        assertArrayEquals(a, Arrays.copyOf(p.offsetsNanos(300, 11), 200));
    }

    @Test
    void wavesOfADriverDrawDifferentReproducibleSchedules() {
        ArrivalProcess p = ArrivalProcess.of(10, "poisson", 1);
        long[] first = OpenLoopDriver.schedule(p, 42, 0, 50);
        assertArrayEquals(first, OpenLoopDriver.schedule(p, 42, 0, 50));
        assertFalse(Arrays.equals(first, OpenLoopDriver.schedule(p, 42, 1, 50)));
        assertFalse(Arrays.equals(first, OpenLoopDriver.schedule(p, 43, 0, 50)));
    }

    /**
     * Mean gap 1/rate and coefficient of variation 1/sqrt(shape). Bounds are generous (the
     * standard error of the mean is at most 1% of it here) and the draws are seeded, so the test
     * is deterministic.
     */
    @ParameterizedTest
    @CsvSource({
            "poisson, 1, 2.0",
            "poisson, 1, 50.0",
            "gamma, 1, 8.0",
            "gamma, 0.25, 4.0",
            "gamma, 0.5, 0.5",
            "gamma, 4, 16.0"})
    void gapsHaveMeanOneOverRateAndTheShapesSpread(String arrivals, double burstiness, double rate) {
        ArrivalProcess p = ArrivalProcess.of(rate, arrivals, burstiness);
        double[] gaps = p.gapsSeconds(DRAWS, 2024);
        double mean = Arrays.stream(gaps).average().orElseThrow();
        double var = Arrays.stream(gaps).map(g -> (g - mean) * (g - mean)).sum() / (gaps.length - 1);
        double cv = Math.sqrt(var) / mean;
        assertEquals(1 / rate, mean, 0.05 / rate, "mean gap");
        assertEquals(1 / Math.sqrt(burstiness), cv, 0.15 / Math.sqrt(burstiness), "coefficient of variation");
        assertTrue(Arrays.stream(gaps).allMatch(g -> g >= 0), "no negative gap");
        // the offsets are the running sums of those same gaps
        long[] offsets = p.offsetsNanos(DRAWS + 1, 2024);
        assertEquals(DRAWS * mean, offsets[DRAWS] / 1e9, 1e-6 * DRAWS / rate);
    }

    @Test
    void burstierArrivalsBunchMore() {
        double[] bursty = ArrivalProcess.of(4, "gamma", 0.25).gapsSeconds(DRAWS, 3);
        double[] even = ArrivalProcess.of(4, "gamma", 4).gapsSeconds(DRAWS, 3);
        // share of gaps shorter than a tenth of the mean: many more in bursts
        long shortBursty = Arrays.stream(bursty).filter(g -> g < 0.025).count();
        long shortEven = Arrays.stream(even).filter(g -> g < 0.025).count();
        assertTrue(shortBursty > 10 * Math.max(1, shortEven), shortBursty + " vs " + shortEven);
    }

    @Test
    void badValuesNameTheValueAndWhatToDo() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ArrivalProcess.of(-1, "poisson", 1));
        assertTrue(e.getMessage().startsWith("rate=-1.0 is not an arrival rate"), e.getMessage());
        assertTrue(e.getMessage().contains("-p rate="), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ArrivalProcess.of(0, "poisson", 1));
        assertTrue(e.getMessage().contains("0 for a closed loop"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ArrivalProcess.of(Double.NaN, "poisson", 1));
        assertTrue(e.getMessage().startsWith("rate=NaN"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ArrivalProcess.of(2, "gamma", 0));
        assertTrue(e.getMessage().startsWith("burstiness=0.0 is not a gamma shape"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ArrivalProcess.of(2, "poisson", 0.5));
        assertTrue(e.getMessage().contains("needs arrivals=gamma"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ArrivalProcess.of(2, "uniform", 1));
        assertEquals("arrivals=uniform is not known: use poisson or gamma (-p arrivals=...)", e.getMessage());
        assertEquals(ArrivalProcess.Kind.GAMMA, ArrivalProcess.of(2, " Gamma ", 2).kind());
    }

    @Test
    void aTimedScheduleIsThePrefixOfTheUntimedOneThatFitsTheTime() {
        ArrivalProcess p = ArrivalProcess.of(50, "gamma", 0.5);
        long duration = 2_000_000_000L;
        long[] timed = p.offsetsWithinNanos(3, duration, 17);
        long[] all = p.offsetsNanos(timed.length + 1, 17);
        assertArrayEquals(timed, Arrays.copyOf(all, timed.length), "same seed, same arrivals");
        assertTrue(timed[timed.length - 1] - timed[3] < duration, "the last one is due within the time");
        assertTrue(all[timed.length] - timed[3] >= duration, "the next one is not");
        assertTrue(timed.length > 60 && timed.length < 160, "about 100 arrivals in 2 s at 50/s: " + timed.length);
    }
}
