package org.tokenpowerbench.power.redfish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tokenpowerbench.UserError;
import org.tokenpowerbench.power.PowerSampler;
import org.tokenpowerbench.power.PowerSensor;
import org.tokenpowerbench.power.PowerSensors;
import org.tokenpowerbench.power.PowerTrace;
import org.tokenpowerbench.power.SensorUnavailableException;

/**
 * A BMC that speaks Redfish sessions as DMTF's specification describes them (our own test server):
 * {@code POST /redfish/v1/SessionService/Sessions} with {@code UserName} and {@code Password} answers
 * 201 with {@code X-Auth-Token} and the session's {@code Location}; reads need the token; the session
 * is deleted with a {@code DELETE} on its location. And the same BMC behind a self-signed certificate.
 */
class RedfishSessionTest {

    private static final String USER = System.getenv("HOME");
    private static final String PASSWORD = System.getenv("PATH");

    @TempDir
    Path dir;

    private MockWebServer bmc;
    private final AtomicInteger logins = new AtomicInteger();
    private final List<String> deleted = Collections.synchronizedList(new ArrayList<>());
    private volatile String validToken;

    private void start(SSLContext tls) throws Exception {
        bmc = new MockWebServer();
        if (tls != null) {
            bmc.useHttps(tls.getSocketFactory(), false);
        }
        bmc.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest r) {
                String path = r.getPath();
                if (path.equals(RedfishSession.SESSIONS) && r.getMethod().equals("POST")) {
                    String body = r.getBody().readUtf8();
                    if (!body.contains("\"UserName\":\"" + USER + "\"") || !body.contains("\"Password\":\"" + PASSWORD.replace("\\", "\\\\") + "\"")) {
                        return new MockResponse().setResponseCode(401);
                    }
                    int n = logins.incrementAndGet();
                    validToken = "token-" + n + "-secret";
                    return new MockResponse().setResponseCode(201).setHeader("X-Auth-Token", validToken)
                            .setHeader("Location", RedfishSession.SESSIONS + "/" + n)
                            .setHeader("Content-Type", "application/json").setBody("{\"Id\":\"" + n + "\"}");
                }
                String token = r.getHeader("X-Auth-Token");
                if (token == null || !token.equals(validToken)) {
                    return new MockResponse().setResponseCode(401);
                }
                if (r.getMethod().equals("DELETE")) {
                    deleted.add(path);
                    validToken = null;
                    return new MockResponse().setResponseCode(204);
                }
                String body = switch (path) {
                    case "/redfish/v1/Chassis" -> "{\"Members\":[{\"@odata.id\":\"/redfish/v1/Chassis/1\"}]}";
                    case "/redfish/v1/Chassis/1" -> "{\"Id\":\"1\",\"Power\":{\"@odata.id\":\"/redfish/v1/Chassis/1/Power\"}}";
                    case "/redfish/v1/Chassis/1/Power" -> "{\"PowerControl\":[{\"MemberId\":\"0\",\"PowerConsumedWatts\":512}]}";
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
        if (bmc != null) {
            bmc.shutdown();
        }
    }

    private Map<String, String> options(String... more) {
        Map<String, String> o = new HashMap<>(Map.of("url", bmc.url("/").toString(), "userEnv", "HOME",
                "passwordEnv", "PATH", "auth", "session", "interval", "10ms"));
        for (int i = 0; i < more.length; i += 2) {
            o.put(more[i], more[i + 1]);
        }
        return o;
    }

    @Test
    void oneLoginATokenOnEveryReadANewLoginAfterExpiryAndTheSessionDeletedAtClose() throws Exception {
        start(null);
        PowerTrace trace;
        String environment;
        try (PowerSensor sensor = PowerSensors.open("redfish", options())) {
            environment = sensor.environment().toString();
            assertEquals(1, logins.get(), "one login for the whole opening (chassis, resource, first read)");
            validToken = "expired"; // the BMC drops the session mid-run
            try (PowerSampler sampler = new PowerSampler(sensor, Duration.ofMillis(5))) {
                sampler.start();
                Thread.sleep(100);
                trace = sampler.stop();
            }
            assertEquals(2, logins.get(), "one new login after the 401, not one per read");
        }
        assertEquals(512, trace.values(0)[0]);
        assertEquals(List.of(RedfishSession.SESSIONS + "/2"), deleted, "the live session is deleted at close");
        assertTrue(environment.contains("session"), environment);
        assertFalse(environment.contains(PASSWORD), "no password in what the run folder gets");
        assertFalse(environment.contains("secret"), "no token in what the run folder gets");
    }

    @Test
    void aRefusedLoginIsOneLineWithoutThePassword() throws Exception {
        start(null);
        SensorUnavailableException e = assertThrows(SensorUnavailableException.class,
                () -> PowerSensors.open("redfish", options("passwordEnv", "HOME")));
        assertTrue(e.getMessage().contains("session login was refused"), e.getMessage());
        assertFalse(e.getMessage().contains(USER + "\""), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertThrows(UserError.class, () -> PowerSensors.open("redfish", Map.of("url", bmc.url("/").toString(),
                "auth", "session")));
        assertThrows(UserError.class, () -> PowerSensors.open("redfish", options("auth", "digest")));
    }

    /** A BMC's self-signed certificate: refused by default with a line naming the opt-in; read with it. */
    @Test
    void aSelfSignedCertificateNeedsInsecureTrue() throws Exception {
        start(selfSigned());
        assertTrue(bmc.url("/").isHttps());
        SensorUnavailableException refused = assertThrows(SensorUnavailableException.class,
                () -> PowerSensors.open("redfish", options()));
        assertTrue(refused.getMessage().contains("insecure=true"), refused.getMessage());
        assertEquals(0, logins.get(), "nothing was sent over the unverified connection");
        try (PowerSensor sensor = PowerSensors.open("redfish", options("insecure", "true"))) {
            assertTrue(sensor.environment().get("auth").contains("TLS certificate not checked (insecure=true)"),
                    sensor.environment().toString());
            try (PowerSampler sampler = new PowerSampler(sensor, Duration.ofMillis(5))) {
                sampler.start();
                assertEquals(512, sampler.stop().values(0)[0]);
            }
        }
    }

    /** A key pair and self-signed certificate made by the JDK's own keytool, as an admin would for a lab BMC. */
    private SSLContext selfSigned() throws Exception {
        Path store = dir.resolve("bmc.p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "bmc", "-keyalg", "RSA",
                "-keysize", "2048", "-validity", "2", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
                "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", "test-only", "-keypass", "test-only")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "keytool: " + out);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, "test-only".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "test-only".toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        return tls;
    }
}
