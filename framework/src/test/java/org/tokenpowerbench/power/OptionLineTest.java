package org.tokenpowerbench.power;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tokenpowerbench.UserError;

class OptionLineTest {

    @Test
    void durationsInEveryUnitAndBareMilliseconds() {
        assertEquals(Duration.ofMillis(10), OptionLine.duration("-prof nvml", "period", "10ms"));
        assertEquals(Duration.ofSeconds(1), OptionLine.duration("-prof nvml", "period", "1s"));
        assertEquals(Duration.ofMillis(500), OptionLine.duration("-prof nvml", "period", "0.5s"));
        assertEquals(Duration.ofNanos(500_000), OptionLine.duration("-prof nvml", "period", "500us"));
        assertEquals(Duration.ofMillis(250), OptionLine.duration("-prof nvml", "period", "250"));
        assertEquals(Duration.ofNanos(1_500_000), OptionLine.duration("-prof nvml", "period", " 1.5 MS "));
        assertEquals(Duration.ZERO, OptionLine.duration("-prof nvml", "period", "0"));
    }

    @Test
    void aBadDurationNamesTheOwnerTheKeyAndTheValue() {
        for (String bad : new String[] {"soon", "-5ms", "10min", "5ns", "NaN", "Infinitys", "1e30s", "", "ms"}) {
            UserError e = assertThrows(UserError.class, () -> OptionLine.duration("-prof rapl", "period", bad), bad);
            assertTrue(e.getMessage().startsWith("-prof rapl: period=" + bad + " is not a duration;"), e.getMessage());
            assertTrue(e.getMessage().contains("period=10ms"), e.getMessage());
            assertEquals(0, e.getStackTrace().length, "a user's mistake carries no stack trace");
        }
    }

    @Test
    void aProfilerLineIsPairsSeparatedBySemicolons() {
        OptionLine o = OptionLine.parse("-prof nvml", " period = 10ms ;gpus=0,1;;attribution=equal-share;gpus=1");
        assertEquals(List.of("period", "gpus", "attribution"), List.copyOf(o.values().keySet()));
        assertEquals("1", o.get("gpus", null), "a later pair replaces an earlier one");
        assertEquals(Duration.ofMillis(10), o.duration("period", Duration.ofSeconds(9)));
        assertEquals(Duration.ofSeconds(9), o.duration("missing", Duration.ofSeconds(9)));
        assertEquals(Map.of("gpus", "1"), o.without("period", "attribution").values());
        assertEquals(3, o.values().size(), "without leaves the original as it was");
        assertTrue(OptionLine.parse("-prof nvml", null).values().isEmpty());
        assertTrue(OptionLine.parse("-prof nvml", "  ").values().isEmpty());
    }

    @Test
    void aBlankValueIsAbsent() {
        OptionLine o = OptionLine.parse("-prof nvml", "period=;gpus= ");
        assertNull(o.get("period", null));
        assertEquals("all", o.get("gpus", "all"));
        assertEquals(Duration.ofMillis(7), o.duration("period", Duration.ofMillis(7)));
    }

    @Test
    void aPairWithoutEqualsOrKeyIsRefusedByName() {
        UserError e = assertThrows(UserError.class, () -> OptionLine.parse("-prof nvml", "period=10ms;fast"));
        assertTrue(e.getMessage().startsWith("-prof nvml: option 'fast' is not key=value;"), e.getMessage());
        UserError k = assertThrows(UserError.class, () -> OptionLine.of("NvmlSamplerCost", List.of("=3")));
        assertTrue(k.getMessage().contains("'=3'"), k.getMessage());
    }

    @Test
    void toolArgumentsAreOnePairEach() {
        OptionLine o = OptionLine.of("NvmlSamplerCost", List.of("seconds=8", "period=10ms", "gpus=0,1"));
        assertEquals("0,1", o.get("gpus", "all"), "a comma inside a value stays in the value");
        assertEquals(Duration.ofMillis(10), o.duration("period", Duration.ZERO));
        UserError e = assertThrows(UserError.class,
                () -> OptionLine.of("NvmlSamplerCost", List.of("period=fast")).duration("period", Duration.ZERO));
        assertTrue(e.getMessage().startsWith("NvmlSamplerCost: period=fast is not a duration"), e.getMessage());
    }
}
