package org.tokenpowerbench.workload;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class LengthDistributionTest {

    @Test
    void fixedGivesTheMeanEveryTime() {
        LengthDistribution d = LengthDistribution.parse("inputLengths", "fixed");
        assertTrue(d.isFixed());
        assertArrayEquals(new int[] {128, 128, 128}, d.draw(128, 3, 1));
        assertEquals(LengthDistribution.FIXED, LengthDistribution.parse("inputLengths", " "));
    }

    @Test
    void uniformStaysInItsRangeCoversItAndCentresOnTheMean() {
        LengthDistribution d = LengthDistribution.parse("inputLengths", "uniform:0.5");
        assertEquals(64, d.lowest(128));
        assertEquals(192, d.highest(128));
        int[] v = d.draw(128, 20_000, 7);
        assertEquals(64, Arrays.stream(v).min().orElseThrow(), "the bottom of the range is drawn");
        assertEquals(192, Arrays.stream(v).max().orElseThrow(), "the top of the range is drawn");
        double mean = Arrays.stream(v).average().orElseThrow();
        // sd of the mean of 20,000 uniform draws on 64..192 is about 0.26: 1.5 is about 6 sd
        assertEquals(128, mean, 1.5);
        assertEquals("uniform:0.5", d.describe());
    }

    @Test
    void normalHasTheRequestedSpreadWithinThreeDeviations() {
        LengthDistribution d = LengthDistribution.parse("outputLengths", "normal:0.25");
        int[] v = d.draw(200, 20_000, 3);
        double mean = Arrays.stream(v).average().orElseThrow();
        double sd = Math.sqrt(Arrays.stream(v).mapToDouble(x -> (x - mean) * (x - mean)).sum() / (v.length - 1));
        assertEquals(200, mean, 1.5);
        // truncation at 3 sd removes 0.27 % of the mass and shrinks the sd by about 1.5 %
        assertEquals(50, sd, 2.5);
        assertTrue(Arrays.stream(v).allMatch(x -> x >= 50 && x <= 350), "within three deviations");
    }

    @Test
    void normalWithBoundsKeepsToThem() {
        LengthDistribution d = LengthDistribution.parse("outputLengths", "normal:1:16:64");
        assertEquals(16, d.lowest(32));
        assertEquals(64, d.highest(32));
        int[] v = d.draw(32, 5_000, 11);
        assertTrue(Arrays.stream(v).allMatch(x -> x >= 16 && x <= 64));
        assertTrue(Arrays.stream(v).anyMatch(x -> x == 16) && Arrays.stream(v).anyMatch(x -> x == 64),
                "a wide normal reaches both bounds");
        assertEquals("normal:1:16:64", d.describe());
    }

    @Test
    void theSameSeedGivesTheSameLengths() {
        LengthDistribution d = LengthDistribution.parse("inputLengths", "normal:0.3");
        assertArrayEquals(d.draw(100, 50, 42), d.draw(100, 50, 42));
        assertFalse(Arrays.equals(d.draw(100, 50, 42), d.draw(100, 50, 43)));
    }

    @Test
    void badValuesAreNamedWithTheFormsAccepted() {
        for (String bad : new String[] {"uniform", "uniform:1", "uniform:0", "uniform:-0.2", "normal:0", "normal:x",
                "normal:0.2:0:10", "normal:0.2:20:10", "normal:0.2:5", "gauss:0.2", "uniform:0.5:1:2"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> LengthDistribution.parse("inputLengths", bad), bad);
            assertTrue(e.getMessage().startsWith("inputLengths=" + bad + " is not a length distribution"), e.getMessage());
            assertTrue(e.getMessage().contains("-p inputLengths=uniform:0.5"), e.getMessage());
        }
    }
}
