package org.tokenpowerbench.energy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tokenpowerbench.energy.EnergyRegression.Fit;
import org.tokenpowerbench.energy.EnergyRegression.Observation;

class EnergyRegressionTest {

    @Test
    void recoversKnownCoefficientsWithinTheirStandardErrors() {
        Random rnd = new Random(3);
        double a = 0.012;
        double b = 0.35;
        double c = 18.0;
        List<Observation> obs = new ArrayList<>();
        for (int input : new int[] {32, 128}) {
            for (int output : new int[] {16, 64}) {
                for (int batch : new int[] {1, 8}) {
                    for (int rep = 0; rep < 3; rep++) {
                        double p = 32.0 * input;
                        double d = 32.0 * (output - 1);
                        double s = (p * 0.0004 + d * 0.02) / batch * (1 + 0.05 * rnd.nextGaussian()) + 0.3;
                        double e = a * p + b * d + c * s;
                        obs.add(new Observation(e * (1 + 0.01 * rnd.nextGaussian()), p, d, s));
                    }
                }
            }
        }
        Fit fit = EnergyRegression.fit(obs);
        assertTrue(fit.ok(), fit.problem());
        assertEquals(24, fit.observations());
        assertEquals(a, fit.a().value(), 4 * fit.a().standardError() + 1e-12);
        assertEquals(b, fit.b().value(), 4 * fit.b().standardError());
        assertEquals(c, fit.c().value(), 4 * fit.c().standardError());
        assertTrue(fit.rSquared() > 0.99, "R2 " + fit.rSquared());
        assertTrue(fit.a().standardError() > 0);
        Observation o = obs.get(0);
        assertEquals(o.energyJ(), fit.predict(o.prefillTokens(), o.decodeTokens(), o.seconds()), 0.05 * o.energyJ());
    }

    @Test
    void anExactModelIsFitExactly() {
        List<Observation> obs = List.of(new Observation(2 * 1 + 3 * 2 + 5 * 1, 1, 2, 1),
                new Observation(2 * 4 + 3 * 1 + 5 * 2, 4, 1, 2), new Observation(2 * 2 + 3 * 5 + 5 * 3, 2, 5, 3),
                new Observation(2 * 7 + 3 * 3 + 5 * 1, 7, 3, 1));
        Fit fit = EnergyRegression.fit(obs);
        assertEquals(2, fit.a().value(), 1e-9);
        assertEquals(3, fit.b().value(), 1e-9);
        assertEquals(5, fit.c().value(), 1e-9);
        assertEquals(1.0, fit.rSquared(), 1e-12);
    }

    @Test
    void saysWhyWhenPrefillAndDecodeTokensNeverVaryApart() {
        List<Observation> obs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            obs.add(new Observation(100 + i, 2048, 2016, 3 + 0.1 * i)); // one trial repeated
        }
        Fit fit = EnergyRegression.fit(obs);
        assertFalse(fit.ok());
        assertTrue(fit.problem().contains("inputTokens"), fit.problem());
        assertTrue(Double.isNaN(fit.a().value()));
    }

    @Test
    void fitsAboveTheIdleBaselineWithCFixedToIt() {
        // energy is 12 W of busy time, and busy time is what the tokens take: c absorbs everything
        List<Observation> obs = new ArrayList<>();
        Random rnd = new Random(9);
        for (int input : new int[] {32, 128}) {
            for (int output : new int[] {16, 64}) {
                for (int rep = 0; rep < 3; rep++) {
                    double p = 64.0 * input;
                    double d = 64.0 * (output - 1);
                    double busy = p * 0.0001 + d * 0.001;
                    double s = busy * (1 + 0.02 * rnd.nextGaussian());
                    obs.add(new Observation(12 * s + 0.5 * s, p, d, s, 0.5));
                }
            }
        }
        Fit free = EnergyRegression.fit(obs);
        assertTrue(free.ok(), free.problem());
        assertEquals(12.5, free.c().value(), 0.01); // c takes it all, a and b are about 0
        Fit fixed = EnergyRegression.fitAboveIdleBaseline(obs);
        assertTrue(fixed.ok(), fixed.problem());
        assertEquals(0.0012, fixed.a().value(), 4 * fixed.a().standardError());
        assertEquals(0.012, fixed.b().value(), 4 * fixed.b().standardError());
        assertEquals(0.5, fixed.c().value(), 1e-12);
        assertTrue(Double.isNaN(fixed.c().standardError()));
        List<Observation> noBaseline = List.of(new Observation(1, 1, 2, 1), new Observation(2, 2, 1, 1),
                new Observation(3, 1, 1, 2));
        assertTrue(EnergyRegression.fitAboveIdleBaseline(noBaseline).problem().contains("no idle baseline"));
    }

    @Test
    void needsFourObservations() {
        Fit fit = EnergyRegression.fit(List.of(new Observation(1, 1, 2, 1), new Observation(2, 2, 1, 1),
                new Observation(3, 1, 1, 2)));
        assertFalse(fit.ok());
        assertTrue(fit.problem().startsWith("3 observation(s)"), fit.problem());
    }
}
