package org.tokenpowerbench.power.nvml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tokenpowerbench.power.PowerSensors;
import org.tokenpowerbench.power.SensorUnavailableException;

/** The real provider on a machine without an NVIDIA driver (this one, and CI). */
class NvmlSensorProviderTest {

    static final String MESSAGE = "NVML (libnvidia-ml.so.1) not found: no NVIDIA driver on this machine;"
            + " run on a GPU host or drop -prof nvml";

    @BeforeAll
    static void noDriverHere() {
        boolean driver;
        try {
            JnaNvmlLibrary.load();
            driver = true;
        } catch (SensorUnavailableException e) {
            driver = false;
        }
        assumeFalse(driver, "an NVIDIA driver is installed: the no-NVML path cannot be shown here");
    }

    @Test
    void withoutTheLibraryOpenSaysSoInOneLine() {
        SensorUnavailableException e = assertThrows(SensorUnavailableException.class,
                () -> new NvmlSensorProvider().open(Map.of()));
        assertEquals(MESSAGE, e.getMessage());
        assertTrue(e.getCause() instanceof UnsatisfiedLinkError);
    }

    @Test
    void serviceLoaderFindsTheProviderById() {
        assertTrue(PowerSensors.knownIds().contains("nvml"), PowerSensors.knownIds().toString());
        SensorUnavailableException e = assertThrows(SensorUnavailableException.class,
                () -> PowerSensors.open("nvml", Map.of("gpus", "0")));
        assertEquals(MESSAGE, e.getMessage());
    }

    @Test
    void badOptionsAreReportedBeforeLookingForTheLibrary() {
        SensorUnavailableException e = assertThrows(SensorUnavailableException.class,
                () -> new NvmlSensorProvider().open(Map.of("gpus", "first")));
        assertTrue(e.getMessage().startsWith("-prof nvml: gpus=first"), e.getMessage());
    }
}
