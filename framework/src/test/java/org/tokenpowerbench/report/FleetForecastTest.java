package org.tokenpowerbench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tokenpowerbench.UserError;

/**
 * The traffic file's rules (each row holds until the next, the last until the day ends; every
 * mistake names its line and column), the curve's straight lines and clamping, and the prompt-mix
 * note, on figures small enough to check by eye.
 */
class FleetForecastTest {

    static final Path FILE = Path.of("traffic.csv");

    static TrafficProfile day(String... lines) {
        return TrafficProfile.parse(FILE, List.of(lines));
    }

    static String error(String... lines) {
        return assertThrows(UserError.class, () -> day(lines)).getMessage();
    }

    @Test
    void rowsHoldUntilTheNextAndTheLastUntilTheDayEnds() {
        TrafficProfile d = day("mean_output_tokens, time ,requests_per_s,mean_prompt_tokens,region",
                "100,08:00,2,50,eu", "", "100,20:30:00,1,50,eu");
        assertEquals(2, d.rows().size(), "the blank line is skipped");
        assertEquals(12.5 * 3600, d.rows().get(0).durationS(), 1e-9, "08:00 to 20:30");
        assertEquals(11.5 * 3600, d.rows().get(1).durationS(), 1e-9, "20:30 to 08:00 the next day");
        assertEquals(4, d.rows().get(1).line(), "line numbers count the blank line");
        assertEquals(200, d.rows().get(0).outputTokensPerS(), 1e-12);
        assertEquals(1, day("\uFEFFtime,requests_per_s,mean_prompt_tokens,mean_output_tokens", "00:00,1,1,1").rows()
                .size(), "a spreadsheet's byte-order mark before the header is no part of its first name");
        TrafficProfile iso = day("time,requests_per_s,mean_prompt_tokens,mean_output_tokens",
                "2026-03-02T22:00,1,1,1", "2026-03-03T02:00,1,1,1");
        assertEquals(4 * 3600, iso.rows().get(0).durationS(), 1e-9, "across midnight by date");
        assertEquals(20 * 3600, iso.rows().get(1).durationS(), 1e-9);
    }

    @Test
    void everyMistakeNamesItsLineAndColumn() {
        String header = "time,requests_per_s,mean_prompt_tokens,mean_output_tokens";
        assertTrue(error("time,rps,mean_prompt_tokens,mean_output_tokens", "00:00,1,1,1")
                .startsWith("traffic.csv line 1: no column requests_per_s;"));
        assertEquals("traffic.csv line 2, column time: \"8am\" is no time; write HH:MM (08:00), HH:MM:SS or an ISO"
                + " date-time (2026-03-02T08:00)", error(header, "8am,1,1,1"));
        assertEquals("traffic.csv line 3, column mean_output_tokens: \"-5\" is no number of 0 or more; e.g. 512",
                error(header, "00:00,1,1,1", "01:00,1,1,-5"));
        assertTrue(error(header, "02:00,1,1,1", "01:00,1,1,1")
                .startsWith("traffic.csv line 3, column time: 01:00 is not after the row before"));
        assertTrue(error(header, "2026-03-02T08:00,1,1,1", "2026-03-03T08:00,1,1,1")
                .startsWith("traffic.csv line 3, column time: 2026-03-03T08:00 is 24 h or more after the first row"));
        assertEquals("traffic.csv line 2: 3 fields, the header has 4; give every column a value",
                error(header, "00:00,1,1"));
        assertTrue(error(header).startsWith("traffic.csv: a header but no rows"));
        // what an independent check fed it: a figure that overflows the day, a column named twice, a million rows
        assertTrue(error(header, "00:00,1e308,1,1").contains("1e308 is beyond any traffic"), error(header, "00:00,1e308,1,1"));
        assertTrue(error(header + ",requests_per_s", "00:00,1,1,1,2").contains("the column requests_per_s is named twice"));
        String[] many = new String[TrafficProfile.MAX_ROWS + 2];
        many[0] = header;
        for (int i = 1; i < many.length; i++) {
            many[i] = java.time.LocalTime.ofNanoOfDay((i - 1) * 999_000_000L) + ",1,1,1";
        }
        assertTrue(error(many).contains((TrafficProfile.MAX_ROWS + 1) + " rows; one day at a row a second is 86400"),
                "refused before any row is read");
    }

    @Test
    void theCurveIsStraightBetweenPointsAndClampedOutside() {
        LoadCurve c = new LoadCurve("nvml", "Bench", List.of(
                new LoadCurve.Point("batch=4", 300, 0.5, 0.4, 0.6, 2.0),
                new LoadCurve.Point("batch=1", 100, 1.0, 0.9, 1.2, 1.0)));
        assertEquals(100, c.lowestLoad());
        LoadCurve.Reading mid = c.at(150);
        assertEquals(0.875, mid.jPerOutputToken(), 1e-12, "a quarter of the way from 1.0 to 0.5");
        assertEquals(0.775, mid.lower(), 1e-12);
        assertEquals(1.05, mid.upper(), 1e-12);
        assertEquals(LoadCurve.Position.INSIDE, mid.position());
        assertEquals(new LoadCurve.Reading(1.0, 0.9, 1.2, LoadCurve.Position.BELOW), c.at(10));
        assertEquals(new LoadCurve.Reading(0.5, 0.4, 0.6, LoadCurve.Position.ABOVE), c.at(900));
        assertEquals(LoadCurve.Position.INSIDE, c.at(300).position(), "the end itself is measured");
        LoadCurve same = new LoadCurve("nvml", "Bench", List.of(new LoadCurve.Point("a", 100, 1.0, 1.0, 1.0, 1),
                new LoadCurve.Point("b", 100, 0.5, 0.5, 0.5, 1)));
        assertEquals(1, same.points().size(), "equal loads are one point");
        assertEquals(0.75, same.at(100).jPerOutputToken(), 1e-12, "their mean");
    }

    @Test
    void theYearIsTheDayTimes365AndAForeignPromptMixIsNoted() {
        LoadCurve c = new LoadCurve("nvml", "Bench", List.of(new LoadCurve.Point("batch=1", 100, 1.0, 0.9, 1.2, 1.0),
                new LoadCurve.Point("batch=4", 300, 0.5, 0.4, 0.6, 2.0)));
        // 00:00-12:00: 1 req/s × 100 tokens, 100 prompt tokens: 100 tokens/s at 1.0 J: 100 W for 12 h = 4.32 MJ
        // 12:00-24:00: 2 req/s × 100 tokens, 400 prompt tokens each (4 per output token, measured 1-2): 200 tokens/s
        //   at 0.75 J: 150 W for 12 h = 6.48 MJ
        TrafficProfile d = day("time,requests_per_s,mean_prompt_tokens,mean_output_tokens", "00:00,1,100,100",
                "12:00,2,400,100");
        FleetForecast none = FleetForecast.of(c, d, null);
        assertEquals(10.8e6, none.dailyJoules().value(), 1e-6);
        assertEquals(3.0, none.dailyKWh().value(), 1e-12, "10.8 MJ = 3 kWh");
        assertEquals(1095, none.annualKWh().value(), 1e-9);
        assertEquals((0.9 * 100 + 0.65 * 200) * 43_200 / 3.6e6 * 365, none.annualKWh().lower(), 1e-9);
        assertNull(none.annualTonnesCo2e(), "no grid, no carbon");
        assertNull(none.annualDollars());
        assertTrue(none.rows().get(0).notes().isEmpty());
        assertEquals(List.of("4 prompt tokens per output token, outside the measured 1–2: the J/outputToken carries"
                + " the measured mix"), none.rows().get(1).notes());
        FleetForecast priced = FleetForecast.of(c, d, new CostInputs(GridIntensity.parse("400"), 1.5, 0.2, Double.NaN));
        assertEquals(1095 * 1.5, priced.annualKWh().value(), 1e-9, "× PUE");
        assertEquals(1095 * 1.5 * 400 / 1e6, priced.annualTonnesCo2e().value(), 1e-12, "0.657 t");
        assertEquals(1095 * 1.5 * 0.2, priced.annualDollars().value(), 1e-9);
        // lower: 0.9 × 100 + (0.9 + (0.4 − 0.9) / 2) × 200 = 220 W, 9.504 MJ = 2.64 kWh, × 1.5 = 3.96 a day;
        // upper: 1.2 × 100 + 0.9 × 200 = 300 W, 3.6 kWh, × 1.5 = 5.4
        assertTrue(priced.lines("Bench").get(0).startsWith("Bench [nvml] over traffic.csv (2 rows, PUE 1.5): daily 4.5"
                + " (3.96–5.4) kWh, annual 1643 (1445–1971) kWh, 0.657 (0.5782–0.7884) tCO2e, $328.5 (289.1–394.2)"
                + " electricity; range from the 95 % intervals of 2 measured load(s) 100–300 output tokens/s"),
                priced.lines("Bench").get(0));
    }
}
