package org.tokenpowerbench.power.redfish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import okhttp3.Credentials;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.tokenpowerbench.UserError;
import org.tokenpowerbench.power.PowerChannel;
import org.tokenpowerbench.power.PowerSampler;
import org.tokenpowerbench.power.PowerSensor;
import org.tokenpowerbench.power.PowerSensors;
import org.tokenpowerbench.power.PowerTrace;
import org.tokenpowerbench.power.SensorUnavailableException;

/**
 * A BMC of each schema generation, answering in the shapes of DMTF's Redfish schema (responses our
 * test writes: a chassis collection, a chassis linking {@code EnvironmentMetrics} with
 * {@code PowerWatts} and an {@code EnergykWh} counter, and an older one linking only {@code Power}
 * with {@code PowerControl}), behind basic authentication.
 */
class RedfishSensorTest {

    private MockWebServer bmc;
    private final long origin = System.nanoTime();
    private final String expectedAuth = Credentials.basic(System.getenv("HOME"), System.getenv("PATH"));

    @BeforeEach
    void start() throws Exception {
        bmc = new MockWebServer();
        bmc.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest r) {
                if (!expectedAuth.equals(r.getHeader("Authorization"))) {
                    return new MockResponse().setResponseCode(401);
                }
                String body = switch (r.getPath()) {
                    case "/redfish/v1/Chassis" -> "{\"@odata.id\":\"/redfish/v1/Chassis\",\"Members@odata.count\":2,"
                            + "\"Members\":[{\"@odata.id\":\"/redfish/v1/Chassis/1U\"},{\"@odata.id\":\"/redfish/v1/Chassis/Old\"}]}";
                    case "/redfish/v1/Chassis/1U" -> "{\"@odata.type\":\"#Chassis.v1_23_0.Chassis\",\"Id\":\"1U\","
                            + "\"ChassisType\":\"RackMount\",\"EnvironmentMetrics\":{\"@odata.id\":"
                            + "\"/redfish/v1/Chassis/1U/EnvironmentMetrics\"},\"PowerSubsystem\":{\"@odata.id\":"
                            + "\"/redfish/v1/Chassis/1U/PowerSubsystem\"},\"Power\":{\"@odata.id\":\"/redfish/v1/Chassis/1U/Power\"}}";
                    case "/redfish/v1/Chassis/1U/EnvironmentMetrics" -> {
                        double seconds = (System.nanoTime() - origin) / 1e9;
                        yield String.format(Locale.ROOT, "{\"@odata.type\":\"#EnvironmentMetrics.v1_3_0.EnvironmentMetrics\","
                                + "\"Id\":\"EnvironmentMetrics\",\"PowerWatts\":{\"DataSourceUri\":"
                                + "\"/redfish/v1/Chassis/1U/Sensors/PowerConsumption\",\"Reading\":400.0},"
                                + "\"EnergykWh\":{\"DataSourceUri\":\"/redfish/v1/Chassis/1U/Sensors/EnergyConsumption\","
                                + "\"Reading\":%.9f}}", 1234.5 + 400 * seconds / 3.6e6);
                    }
                    case "/redfish/v1/Chassis/Old" -> "{\"@odata.type\":\"#Chassis.v1_10_0.Chassis\",\"Id\":\"Old\","
                            + "\"Power\":{\"@odata.id\":\"/redfish/v1/Chassis/Old/Power\"}}";
                    case "/redfish/v1/Chassis/Old/Power" -> "{\"@odata.type\":\"#Power.v1_5_0.Power\",\"PowerControl\":[{"
                            + "\"@odata.id\":\"/redfish/v1/Chassis/Old/Power#/PowerControl/0\",\"MemberId\":\"0\","
                            + "\"Name\":\"System Power Control\",\"PowerConsumedWatts\":344,\"PowerMetrics\":{"
                            + "\"IntervalInMin\":1,\"MinConsumedWatts\":298,\"MaxConsumedWatts\":402,"
                            + "\"AverageConsumedWatts\":319}}]}";
                    default -> null;
                };
                return body == null ? new MockResponse().setResponseCode(404)
                        : new MockResponse().setHeader("Content-Type", "application/json").setBody(body);
            }
        });
        bmc.start();
    }

    @AfterEach
    void stop() throws Exception {
        bmc.shutdown();
    }

    private PowerSensor open(String chassis) throws Exception {
        Map<String, String> options = new java.util.HashMap<>(Map.of("url", bmc.url("/").toString(),
                "userEnv", "HOME", "passwordEnv", "PATH", "interval", "100ms"));
        if (chassis != null) {
            options.put("chassis", chassis);
        }
        return PowerSensors.open("redfish", options);
    }

    @Test
    void theNewerSchemaGivesPowerAndAnEnergyCounterOnOneDevice() throws Exception {
        try (PowerSensor sensor = open(null)) {
            List<PowerChannel> channels = sensor.channels();
            assertEquals(List.of("chassis.power", "chassis.energy"), channels.stream().map(PowerChannel::name).toList());
            assertEquals(channels.get(0).device(), channels.get(1).device(), "the counter fixes, the power shapes");
            assertFalse(sensor.environment().toString().contains(System.getenv("PATH")), "no password in the run folder");
            PowerTrace trace;
            try (PowerSampler sampler = new PowerSampler(sensor, Duration.ofMillis(5))) {
                sampler.start();
                Thread.sleep(400);
                trace = sampler.stop();
            }
            double[] joules = trace.values(1);
            double first = Double.NaN;
            double last = Double.NaN;
            for (double j : joules) {
                if (!Double.isNaN(j)) {
                    first = Double.isNaN(first) ? j : first;
                    last = j;
                }
            }
            assertTrue(last > first, "the kWh counter, in joules, grows: " + first + " -> " + last);
            assertEquals(1234.5 * 3.6e6, first, 400 * 60, "EnergykWh in joules");
        }
    }

    @Test
    void theOlderSchemaGivesPowerControl() throws Exception {
        try (PowerSensor sensor = open("/redfish/v1/Chassis/Old")) {
            assertEquals(1, sensor.channels().size());
            assertTrue(sensor.environment().get("schema").startsWith("Power"), sensor.environment().toString());
            assertEquals("1", sensor.environment().get("powerMetricsIntervalMin"));
            try (PowerSampler sampler = new PowerSampler(sensor, Duration.ofMillis(5))) {
                sampler.start();
                PowerTrace trace = sampler.stop();
                assertEquals(344, trace.values(0)[0]);
            }
        }
    }

    @Test
    void refusedCredentialsAndMissingVariablesAreOneLine() {
        SensorUnavailableException refused = assertThrows(SensorUnavailableException.class, () -> PowerSensors.open(
                "redfish", Map.of("url", bmc.url("/").toString(), "userEnv", "HOME", "passwordEnv", "HOME"))); // a wrong password
        assertTrue(refused.getMessage().contains("refused"), refused.getMessage());
        assertThrows(UserError.class, () -> PowerSensors.open("redfish", Map.of("url", "http://bmc", "userEnv",
                "TPB_SURELY_UNSET", "passwordEnv", "PATH")));
        assertThrows(UserError.class, () -> PowerSensors.open("redfish", Map.of("url", "bmc")));
        assertThrows(UserError.class, () -> PowerSensors.open("redfish", Map.of("url", "http://bmc", "insecure", "yes")));
    }
}
