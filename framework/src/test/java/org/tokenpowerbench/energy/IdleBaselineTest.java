package org.tokenpowerbench.energy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.tokenpowerbench.energy.Fixtures.MS;
import static org.tokenpowerbench.energy.Fixtures.T0;
import static org.tokenpowerbench.energy.Fixtures.times;

import org.junit.jupiter.api.Test;

class IdleBaselineTest {

    @Test
    void isTheMeanPowerOfTheIdleWindowAndGivesDynamicEnergy() {
        long[] t = times(100 * MS, 11);
        double[] w = {20, 20, 20, 20, 90, 90, 90, 90, 90, 90};
        PowerSignal signal = PowerSignal.of(Fixtures.piecewiseConstantCounter(t, w), 1_000 * MS);
        IdleBaseline idle = IdleBaseline.measure(signal, T0 + 50 * MS, T0 + 350 * MS);
        assertEquals(20.0, idle.watts(), 1e-9);
        assertEquals(0.3, idle.seconds(), 1e-12);
        assertEquals("counter", idle.method());
        double total = signal.energyJoules(T0 + 400 * MS, T0 + 1000 * MS);
        assertEquals(70 * 0.6, idle.dynamicJoules(total, 0.6), 1e-9);
        assertEquals("20.000 W over 0.30 s (counter)", idle.describe());
    }

    @Test
    void anEmptyOrUncoveredWindowIsAnError() {
        long[] t = times(100 * MS, 3);
        PowerSignal signal = PowerSignal.of(Fixtures.piecewiseConstantCounter(t, new double[] {1, 1}), 1_000 * MS);
        assertThrows(IllegalArgumentException.class, () -> IdleBaseline.measure(signal, T0 + 10, T0 + 10));
        assertThrows(IllegalArgumentException.class, () -> IdleBaseline.measure(signal, T0 - 10, T0 + 10));
    }
}
