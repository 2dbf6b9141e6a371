package org.tokenpowerbench.power;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PowerSensorsTest {

    @Test
    void findsTheRegisteredProviders() throws Exception {
        assertTrue(PowerSensors.knownIds().containsAll(java.util.List.of("cpu", "rapl")), PowerSensors.knownIds().toString());
        try (PowerSensor sensor = PowerSensors.open("cpu", null)) {
            assertEquals("cpu", sensor.id());
            assertEquals(Method.ESTIMATED, sensor.channels().get(0).method());
        }
    }

    @Test
    void unknownIdListsTheKnownOnes() {
        SensorUnavailableException e = assertThrows(SensorUnavailableException.class,
                () -> PowerSensors.open("wattmeter", Map.of()));
        assertTrue(e.getMessage().contains("'wattmeter'"), e.getMessage());
        assertTrue(e.getMessage().contains("cpu"), e.getMessage());
        assertTrue(e.getMessage().contains("rapl"), e.getMessage());
    }

    @Test
    void providerFailuresPassThrough(@TempDir Path empty) {
        SensorUnavailableException e = assertThrows(SensorUnavailableException.class,
                () -> PowerSensors.open("rapl", Map.of("root", empty.toString())));
        assertTrue(e.getMessage().contains("no RAPL package zone"), e.getMessage());
    }
}
