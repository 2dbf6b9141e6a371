package org.tokenpowerbench.power.nvml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tokenpowerbench.UserError;

class NvmlOptionsTest {

    @Test
    void defaults() {
        NvmlOptions o = NvmlOptions.parse(Map.of("period", "10ms"));
        assertNull(o.gpus());
        assertEquals(Duration.ofMillis(300), o.counterPeriod());
        assertEquals(o, NvmlOptions.defaults());
    }

    @Test
    void closesAreStraddledForUpToTwoGpuCountersUnlessSaidOtherwise() {
        NvmlOptions auto = NvmlOptions.parse(Map.of());
        assertEquals(NvmlOptions.CloseStraddle.AUTO, auto.closeStraddle());
        assertTrue(auto.straddlesCloses(1) && auto.straddlesCloses(2));
        assertTrue(!auto.straddlesCloses(3) && !auto.straddlesCloses(8) && !auto.straddlesCloses(0));
        assertTrue(NvmlOptions.parse(Map.of("closeStraddle", "on")).straddlesCloses(8));
        assertTrue(!NvmlOptions.parse(Map.of("closeStraddle", "OFF")).straddlesCloses(1));
        UserError e = assertThrows(UserError.class, () -> NvmlOptions.parse(Map.of("closeStraddle", "yes")));
        assertEquals("-prof nvml: closeStraddle=yes is not a setting; use closeStraddle=auto (on for up to 2 GPU"
                + " counters, the default), on or off", e.getMessage());
    }

    @Test
    void gpusAndCounterPeriod() {
        NvmlOptions o = NvmlOptions.parse(Map.of("gpus", "1, 0", "counterPeriod", "0.25s"));
        assertEquals(List.of(1, 0), o.gpus());
        assertEquals(Duration.ofMillis(250), o.counterPeriod());
        assertNull(NvmlOptions.parse(Map.of("gpus", "all")).gpus());
        assertEquals(Duration.ofMillis(50), NvmlOptions.parse(Map.of("counterPeriod", "50")).counterPeriod());
        assertEquals(Duration.ofMillis(2), NvmlOptions.parse(Map.of("counterPeriod", "2000us")).counterPeriod());
    }

    @Test
    void conditionsAreReadEverySecondWhereHoldBackTimesAreReadElseEveryTenthUnlessSaidOtherwise() {
        NvmlOptions unset = NvmlOptions.parse(Map.of());
        assertNull(unset.conditionsPeriod());
        assertEquals(Duration.ofSeconds(1), unset.conditionsPeriodFor(true));
        assertEquals(Duration.ofMillis(100), unset.conditionsPeriodFor(false));
        assertEquals(unset, NvmlOptions.defaults());
        NvmlOptions given = NvmlOptions.parse(Map.of("conditionsPeriod", "250ms"));
        assertEquals(Duration.ofMillis(250), given.conditionsPeriodFor(true));
        assertEquals(Duration.ofMillis(250), given.conditionsPeriodFor(false));
        assertThrows(UserError.class, () -> NvmlOptions.parse(Map.of("conditionsPeriod", "often")));
    }

    @Test
    void counterScheduleIsDenseForOneGpuAndBoundariesForMoreUnlessOneIsAskedFor() {
        NvmlOptions auto = NvmlOptions.defaults();
        assertEquals(NvmlOptions.CounterSchedule.AUTO, auto.counterSchedule());
        assertEquals(auto, NvmlOptions.parse(Map.of("counterSchedule", "auto")));
        assertEquals(NvmlOptions.CounterSchedule.BOUNDARIES, auto.scheduleFor(1));
        assertEquals(NvmlOptions.CounterSchedule.DENSE, auto.scheduleFor(0)); // power only: nothing to hunt
        assertEquals(NvmlOptions.CounterSchedule.BOUNDARIES, auto.scheduleFor(2));
        assertEquals(NvmlOptions.CounterSchedule.BOUNDARIES, auto.scheduleFor(8));
        NvmlOptions adaptive = NvmlOptions.parse(Map.of("counterSchedule", " Adaptive "));
        assertEquals(NvmlOptions.CounterSchedule.ADAPTIVE, adaptive.counterSchedule());
        assertEquals(NvmlOptions.CounterSchedule.ADAPTIVE, adaptive.scheduleFor(8));
        assertEquals(NvmlOptions.CounterSchedule.DENSE,
                NvmlOptions.parse(Map.of("counterSchedule", "dense")).scheduleFor(8));
        UserError e = assertThrows(UserError.class, () -> NvmlOptions.parse(Map.of("counterSchedule", "sparse")));
        assertEquals("-prof nvml: counterSchedule=sparse is not a schedule; use counterSchedule=auto, dense,"
                + " adaptive or boundaries", e.getMessage());
    }

    @Test
    void badValuesSayWhatIsAccepted() {
        UserError g = assertThrows(UserError.class,
                () -> NvmlOptions.parse(Map.of("gpus", "0,x")));
        assertEquals("-prof nvml: gpus=0,x: 'x' is not a GPU index; use indices into the visible GPUs such as"
                + " gpus=0,1, or gpus=all", g.getMessage());
        assertTrue(assertThrows(UserError.class, () -> NvmlOptions.parse(Map.of("gpus", "1,1")))
                .getMessage().contains("twice"));
        assertTrue(assertThrows(UserError.class,
                () -> NvmlOptions.parse(Map.of("counterPeriod", "soon"))).getMessage().contains("counterPeriod=soon"));
        assertThrows(UserError.class, () -> NvmlOptions.parse(Map.of("counterPeriod", "-5ms")));
    }

    @Test
    void powerComesFromTheDriversBufferUnlessTheFieldIsAskedFor() {
        assertEquals(NvmlOptions.Power.BUFFER, NvmlOptions.parse(Map.of()).power());
        assertEquals(NvmlOptions.Power.BUFFER, NvmlOptions.defaults().power());
        assertEquals(NvmlOptions.Power.FIELD, NvmlOptions.parse(Map.of("power", "field")).power());
        NvmlOptions o = NvmlOptions.parse(Map.of("power", "buffer", "bufferPeriod", "1s"));
        assertEquals(NvmlOptions.Power.BUFFER, o.power());
        assertEquals(Duration.ofSeconds(1), o.bufferPeriod());
        assertEquals(Duration.ofSeconds(1), o.bufferPeriodFor(NvmlOptions.CounterSchedule.DENSE));
        NvmlOptions unset = NvmlOptions.parse(Map.of("power", "buffer"));
        assertNull(unset.bufferPeriod()); // the schedule's default, known once the GPUs are
        assertEquals(Duration.ofMillis(500), unset.bufferPeriodFor(NvmlOptions.CounterSchedule.DENSE));
        assertEquals(Duration.ofMillis(500), unset.bufferPeriodFor(NvmlOptions.CounterSchedule.ADAPTIVE));
        // with the counter read on boundaries only the fetches are most of the cost: fetched every second
        assertEquals(Duration.ofSeconds(1), unset.bufferPeriodFor(NvmlOptions.CounterSchedule.BOUNDARIES));
        // learned from what the driver's buffer held at open: three quarters of it, 100 ms to 2 s
        assertEquals(Duration.ofMillis(1800), unset.bufferPeriodFor(NvmlOptions.CounterSchedule.BOUNDARIES, Duration.ofMillis(2400)));
        assertEquals(Duration.ofSeconds(2), unset.bufferPeriodFor(NvmlOptions.CounterSchedule.BOUNDARIES, Duration.ofSeconds(5)));
        assertEquals(Duration.ofMillis(100), unset.bufferPeriodFor(NvmlOptions.CounterSchedule.BOUNDARIES, Duration.ofMillis(60)));
        assertEquals(Duration.ofMillis(500), unset.bufferPeriodFor(NvmlOptions.CounterSchedule.DENSE, Duration.ofMillis(2400)));
        assertEquals(Duration.ofSeconds(1), o.bufferPeriodFor(NvmlOptions.CounterSchedule.BOUNDARIES, Duration.ofMillis(2400)),
                "a period given is kept");
        assertEquals(Duration.ofMillis(250), NvmlOptions.parse(Map.of("counterSchedule", "boundaries", "bufferPeriod", "250ms"))
                .bufferPeriodFor(NvmlOptions.CounterSchedule.BOUNDARIES));
        UserError e = assertThrows(UserError.class, () -> NvmlOptions.parse(Map.of("power", "smi")));
        assertTrue(e.getMessage().contains("power=smi") && e.getMessage().contains("power=buffer"), e.getMessage());
        e = assertThrows(UserError.class, () -> NvmlOptions.parse(Map.of("power", "buffer", "bufferPeriod", "3s")));
        assertTrue(e.getMessage().contains("bufferPeriod=3s") && e.getMessage().contains("2.4 s"), e.getMessage());
    }
}
