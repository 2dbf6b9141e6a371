package org.tokenpowerbench.power.nvml;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class CumulativeEnergyTest {

    @Test
    void startsAtZeroAndConvertsMillijoulesToJoules() {
        CumulativeEnergy e = new CumulativeEnergy();
        assertEquals(0.0, e.update(9_000_000_123L));
        assertEquals(1.5, e.update(9_000_001_623L), 1e-9);
        assertEquals(0, e.restarts());
    }

    @Test
    void aCounterThatGoesBackwardsRestartedFromZeroAndEnergyKeepsGrowing() {
        CumulativeEnergy e = new CumulativeEnergy();
        e.update(1_000_000);
        assertEquals(500.0, e.update(1_500_000), 1e-9);
        // driver reloaded: counter restarted and has counted 2 J since
        assertEquals(502.0, e.update(2_000), 1e-9);
        assertEquals(505.0, e.update(5_000), 1e-9);
        assertEquals(1, e.restarts());
    }

    @Test
    void readingsAboveLongMaxAreUnsigned() {
        CumulativeEnergy e = new CumulativeEnergy();
        e.update(Long.MAX_VALUE - 500);
        // crosses 2^63: as a signed long it would look like a huge drop
        assertEquals(1.0, e.update(Long.MIN_VALUE + 499), 1e-9);
        assertEquals(0, e.restarts());
    }

    @Test
    void equalReadingsAddNothing() {
        CumulativeEnergy e = new CumulativeEnergy();
        e.update(42);
        assertEquals(0.0, e.update(42));
        assertEquals(0, e.restarts());
    }
}
