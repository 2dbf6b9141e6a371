package org.tokenpowerbench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tokenpowerbench.UserError;

/**
 * Cost and carbon from a trial whose figures are chosen to be checked by hand (docs/report.md
 * shows the same sums): 0.4 J/outputToken measured by NVML and 0.9 J/outputToken estimated from
 * CPU time, 500 output tokens/s, 5 waves of 8 s at 40 kJ (nvml) each.
 */
public class FootprintTest {

    public static TrialResult trial() {
        Map<String, Metric> m = new LinkedHashMap<>();
        m.put("nvml.J/outputToken", new Metric(0.4, Double.NaN, "J/outputToken", 5));
        m.put("nvml.energy", new Metric(1600, Double.NaN, "J", 5));
        m.put("nvml.avgPower", new Metric(200, Double.NaN, "W", 5));
        m.put("cpu.estimated.J/outputToken", new Metric(0.9, Double.NaN, "J/outputToken", 5));
        m.put("output.tokens/s", new Metric(500, Double.NaN, "tokens/s", 5));
        return new TrialResult("demo.Bench.wave", Map.of("batch", "8"), new Metric(8, Double.NaN, "s/op", 5), m);
    }

    @Test
    void kilowattHoursGramsAndDollarsPerMillionOutputTokensByHand() {
        CostInputs in = new CostInputs(GridIntensity.parse("DE"), 1.0, 0.30, 2.50);
        List<Footprint> f = Footprint.of(List.of(trial()), in);
        assertEquals(2, f.size());
        Footprint gpu = f.get(0);
        assertEquals("nvml", gpu.label());
        assertEquals(0.4e6 / 3.6e6, gpu.kWhPerMillion(), 1e-12, "0.1111 kWh");
        assertEquals(0.4e6 / 3.6e6 * 381, gpu.gramsPerMillion(), 1e-9, "42.33 g at Germany's 381 g/kWh");
        assertEquals(0.4e6 / 3.6e6 * 0.30, gpu.energyCostPerMillion(), 1e-12, "$0.0333");
        assertEquals(1e6 / 500.0 / 3600 * 2.50, gpu.hardwareCostPerMillion(), 1e-12, "2,000 s = 0.5556 h: $1.389");
        assertEquals("batch=8 [nvml]: 0.1111 kWh, 42.33 gCO2e, $0.03333 electricity, $1.389 hardware per million"
                + " output tokens", gpu.line("batch=8"));
        Footprint cpu = f.get(1);
        assertTrue(cpu.estimated());
        assertTrue(cpu.line("batch=8").contains("0.25 kWh (estimated), 95.25 gCO2e (estimated)"), cpu.line("batch=8"));
        Footprint withPue = Footprint.of(List.of(trial()), new CostInputs(GridIntensity.parse("380"), 1.5,
                Double.NaN, Double.NaN)).get(0);
        assertEquals(0.4e6 / 3.6e6 * 1.5 * 380, withPue.gramsPerMillion(), 1e-9);
        assertTrue(Double.isNaN(withPue.energyCostPerMillion()), "no price, no dollars");
    }

    @Test
    void emissionsCsvHasCodeCarbonsColumnsAndOurEstimateLabel(@TempDir Path dir) throws Exception {
        CostInputs in = new CostInputs(GridIntensity.parse("fr"), 1.2, Double.NaN, Double.NaN);
        Path file = EmissionsFile.write(dir, List.of(trial()), in);
        List<String> lines = Files.readAllLines(file);
        assertEquals(3, lines.size(), "a header and one row per energy label");
        assertTrue(lines.get(0).startsWith("timestamp,project_name,run_id,duration,emissions,emissions_rate,cpu_power,"
                + "gpu_power,ram_power,cpu_energy,gpu_energy,ram_energy,energy_consumed,country_name,country_iso_code,"), lines.get(0));
        assertTrue(lines.get(0).endsWith(",pue,tpb_energy_label,tpb_energy_method,tpb_trial"), lines.get(0));
        List<String> header = List.of(lines.get(0).split(","));
        List<String> row = List.of(lines.get(1).split(",", -1));
        assertEquals(header.size(), row.size());
        // 5 waves × 1,600 J × PUE 1.2 = 9,600 J = 0.002666... kWh; × 56 g/kWh = 0.1493 g = 0.0001493 kg; over 40 s
        assertEquals(40, Double.parseDouble(row.get(header.indexOf("duration"))), 1e-9);
        assertEquals(9600 / 3.6e6, Double.parseDouble(row.get(header.indexOf("energy_consumed"))), 1e-12);
        assertEquals(9600 / 3.6e6, Double.parseDouble(row.get(header.indexOf("gpu_energy"))), 1e-12);
        assertEquals(9600 / 3.6e6 * 56 / 1000, Double.parseDouble(row.get(header.indexOf("emissions"))), 1e-12);
        assertEquals(200, Double.parseDouble(row.get(header.indexOf("gpu_power"))), 1e-12);
        assertEquals("France", row.get(header.indexOf("country_name")));
        assertEquals("FRA", row.get(header.indexOf("country_iso_code")));
        assertEquals("1.2", row.get(header.indexOf("pue")));
        assertEquals("measured", row.get(header.indexOf("tpb_energy_method")));
        assertTrue(lines.get(2).contains(",cpu.estimated,estimated,"), "the estimate stays labelled: " + lines.get(2));
    }

    /**
     * JMH writes the wave in the benchmark's unit, ms/op by default: once taken as seconds, which made
     * every duration 1,000 times too long. A name that a spreadsheet would run as a formula is text.
     */
    @Test
    void aWaveInMillisecondsIsSecondsInTheDurationAndAFormulaIsText(@TempDir Path dir) throws Exception {
        TrialResult t = trial();
        TrialResult ms = new TrialResult("=HYPERLINK(\"http://x\").wave", t.params(), new Metric(8000, Double.NaN,
                "ms/op", 5), t.metrics());
        List<String> lines = Files.readAllLines(EmissionsFile.write(dir, List.of(ms),
                new CostInputs(GridIntensity.parse("fr"), 1.2, Double.NaN, Double.NaN)));
        List<String> header = List.of(lines.get(0).split(","));
        String row = lines.get(1);
        assertTrue(row.contains(",\"'=HYPERLINK(\"\"http://x\"\").wave\","), "marked as text: " + row);
        List<String> cells = List.of(row.replaceFirst("\"[^\"]*(\"\"[^\"]*)*\"", "X").split(",", -1));
        assertEquals(40, Double.parseDouble(cells.get(header.indexOf("duration"))), 1e-9, "5 waves of 8,000 ms: " + row);
        assertEquals("-1.5", RunDirectory.inert("-1.5"), "a number stays a number");
        assertEquals("'-HYPERLINK(1)", RunDirectory.inert("-HYPERLINK(1)"));
        assertEquals("'@SUM(1)", RunDirectory.inert("@SUM(1)"));
    }

    @Test
    void badInputsAreOneLineNamingTheValue() {
        UserError region = assertThrows(UserError.class, () -> GridIntensity.parse("XX"));
        assertTrue(region.getMessage().contains("XX is neither gCO2e/kWh") && region.getMessage().contains("DE, DK"),
                region.getMessage());
        assertThrows(UserError.class, () -> GridIntensity.parse("-5"));
        // figures no grid or facility has: once 300-digit results with exit 0
        assertTrue(assertThrows(UserError.class, () -> GridIntensity.parse("1e308")).getMessage().contains("above 2000"));
        assertTrue(assertThrows(UserError.class, () -> new CostInputs(GridIntensity.parse("1"), 1e308, 0, 0))
                .getMessage().contains("above 10"));
        UserError pue = assertThrows(UserError.class, () -> new CostInputs(GridIntensity.parse("1"), 0.9, 0, 0));
        assertTrue(pue.getMessage().contains("below 1"), pue.getMessage());
        assertThrows(UserError.class, () -> CostInputs.price("--price", "cheap"));
        assertThrows(UserError.class, () -> CostInputs.price("--hw-price", "-1"));
    }
}
