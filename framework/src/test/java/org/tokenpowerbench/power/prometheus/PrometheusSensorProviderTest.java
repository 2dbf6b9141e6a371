package org.tokenpowerbench.power.prometheus;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tokenpowerbench.UserError;
import org.tokenpowerbench.power.PowerSensors;
import org.tokenpowerbench.power.SensorUnavailableException;

/** Options a user can get wrong, each refused in one line that names the value, before any request. */
class PrometheusSensorProviderTest {

    private static String refused(Map<String, String> options) {
        return assertThrows(UserError.class, () -> PowerSensors.open("prometheus", options)).getMessage();
    }

    @Test
    void badOptionsAreOneLineEach() {
        assertTrue(refused(Map.of()).contains("needs url="));
        assertTrue(refused(Map.of("url", "ftp://x")).contains("url=ftp://x"));
        assertTrue(refused(Map.of("url", "http://x", "selector", "instance=\"a\"")).contains("selector=instance"));
        assertTrue(refused(Map.of("url", "http://x", "exporters", "dcgm,smi")).contains("exporters=smi"));
        assertTrue(refused(Map.of("url", "http://x", "query", "m", "kind", "heat")).contains("kind=heat"));
        assertTrue(refused(Map.of("url", "http://x", "query", "m", "kind", "energy", "unit", "W")).contains("unit=W"));
        assertTrue(refused(Map.of("url", "http://x", "query", "m", "scope", "rack")).contains("scope=rack"));
        assertTrue(refused(Map.of("url", "http://x", "colour", "red")).contains("'colour'"));
    }

    @Test
    void aServerThatDoesNotAnswerMakesTheSensorUnavailable() throws Exception {
        String url = "http://127.0.0.1:" + RealPrometheus.freePort();
        SensorUnavailableException e = assertThrows(SensorUnavailableException.class,
                () -> PowerSensors.open("prometheus", Map.of("url", url, "timeout", "2s")));
        assertTrue(e.getMessage().contains(url), e.getMessage());
    }
}
