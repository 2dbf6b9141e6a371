package org.tokenpowerbench.report.html;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tokenpowerbench.report.EnergyRow;

/** The attribution's per-token figures beside the fit, and when the page calls them apart. */
class RegressionViewTest {

    private static EnergyRow.Line line(double prefillJ, double prefillShare) {
        return new EnergyRow.Line("inv", "nvml", "B", "trial", "g", "measurement", "counter", 10, 1000, 100, 200, 50,
                Map.of("token-weighted", new EnergyRow.PolicyFigures(prefillJ, 500, prefillShare, 8)));
    }

    @Test
    void attributedFiguresTakeTheFitsPerSecondTermOutAndCarryATInterval() {
        // (prefillJ - c * share) / 100 prompt tokens with c = 50 W: 0.5, 0.6, 0.7 J/token
        List<EnergyRow.Line> lines = List.of(line(100, 1), line(110, 1), line(120, 1));
        RegressionView.Estimate e = RegressionView.attributed(lines, "token-weighted", 50, true);
        assertEquals(0.6, e.value(), 1e-12);
        // s = 0.1, n = 3, t(0.975, 2) = 4.3027
        assertEquals(0.6 + 4.3027 * 0.1 / Math.sqrt(3), e.high(), 1e-4);
        assertTrue(e.disagrees(new RegressionView.Estimate(0.2, 0.1, 0.3)), "intervals apart");
        assertFalse(e.disagrees(new RegressionView.Estimate(0.4, 0.3, 0.5)), "intervals overlap");
        assertTrue(new RegressionView.Estimate(1, Double.NaN, Double.NaN).disagrees(e), "a bare value outside");
        assertFalse(RegressionView.attributed(lines, "equal-share", 50, true).hasInterval(), "no such policy: nothing");
    }
}
