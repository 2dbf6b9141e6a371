package org.tokenpowerbench.power.redfish;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import okhttp3.Credentials;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import org.tokenpowerbench.UserError;
import org.tokenpowerbench.power.OptionLine;
import org.tokenpowerbench.power.PowerSensor;
import org.tokenpowerbench.power.PowerSensorProvider;
import org.tokenpowerbench.power.SensorUnavailableException;

/**
 * Opens a {@link RedfishSensor} under the id {@code redfish}:
 * {@code -prof 'redfish:url=https://bmc-1;userEnv=BMC_USER;passwordEnv=BMC_PASS'}. Options:
 * {@code chassis} (e.g. {@code /redfish/v1/Chassis/1}; default the first chassis), {@code userEnv} and
 * {@code passwordEnv} (the credentials, from the environment variables named, never printed
 * or written), {@code auth} ({@code basic}, the default, or {@code session}: one login through
 * {@code SessionService}, an {@code X-Auth-Token} on every read, the session deleted at the end; see
 * {@link RedfishSession}), {@code insecure=true} (accept a self-signed certificate and any host name: BMCs ship
 * with one; off by default), {@code interval} (between reads, default 1s), {@code timeout} (5s).
 */
public final class RedfishSensorProvider implements PowerSensorProvider {

    private static final Set<String> OPTIONS = Set.of("url", "chassis", "userEnv", "passwordEnv", "auth", "insecure",
            "interval", "timeout");

    @Override
    public String id() {
        return "redfish";
    }

    @Override
    public String description() {
        return "chassis power from a BMC over Redfish (EnvironmentMetrics PowerWatts/EnergykWh, else Power/PowerControl;"
                + " node scope, ~1 s resolution); url=https://bmc;userEnv=VAR;passwordEnv=VAR;auth=basic|session;insecure=false";
    }

    @Override
    public PowerSensor open(Map<String, String> options) throws SensorUnavailableException {
        OptionLine line = new OptionLine("-prof redfish", options);
        for (String key : options.keySet()) {
            if (!OPTIONS.contains(key)) {
                throw new UserError("-prof redfish: unknown option '" + key + "'; it takes "
                        + String.join(", ", new TreeSet<>(OPTIONS)));
            }
        }
        String url = line.get("url", null);
        HttpUrl base = url == null ? null : HttpUrl.parse(url);
        if (base == null) {
            throw new UserError("-prof redfish needs url=, the BMC's address, e.g. url=https://bmc-1"
                    + (url == null ? "" : "; '" + url + "' is not an http or https URL"));
        }
        Duration timeout = line.duration("timeout", Duration.ofSeconds(5));
        OkHttpClient.Builder http = new OkHttpClient.Builder().callTimeout(timeout).connectTimeout(timeout);
        String auth = "none";
        String userVar = line.get("userEnv", null);
        String passwordVar = line.get("passwordEnv", null);
        String mode = line.get("auth", "basic");
        if (!mode.equals("basic") && !mode.equals("session")) {
            throw new UserError("-prof redfish: auth=" + mode + " is neither basic nor session");
        }
        RedfishSession session = null;
        if (userVar != null || passwordVar != null) {
            String user = variable("userEnv", userVar);
            String password = variable("passwordEnv", passwordVar);
            if (mode.equals("session")) {
                session = new RedfishSession(base, user, password);
                http.addInterceptor(session);
                auth = "session (user from $" + userVar + ", password from $" + passwordVar
                        + "; X-Auth-Token kept in memory only, the session deleted at the end)";
            } else {
                String header = Credentials.basic(user, password);
                http.addInterceptor(chain -> chain.proceed(chain.request().newBuilder().header("Authorization", header)
                        .build()));
                auth = "basic (user from $" + userVar + ", password from $" + passwordVar + ")";
            }
        } else if (mode.equals("session")) {
            throw new UserError("-prof redfish: auth=session needs userEnv= and passwordEnv=, the variables that hold"
                    + " the user and password");
        }
        String insecure = line.get("insecure", "false");
        if (!insecure.equals("true") && !insecure.equals("false")) {
            throw new UserError("-prof redfish: insecure=" + insecure + " is neither true nor false");
        }
        if (insecure.equals("true")) {
            trustAnyCertificate(http);
            auth += "; TLS certificate not checked (insecure=true)";
        }
        OkHttpClient client = http.build();
        RedfishSession opened = session;
        // the logout goes out without the session's own interceptor (it would log in again)
        Runnable logout = opened == null ? () -> { } : () -> {
            OkHttpClient.Builder plain = client.newBuilder();
            plain.interceptors().remove(opened);
            opened.logout(plain.build());
        };
        return RedfishSensor.open(client, base, line.get("chassis", null),
                line.duration("interval", Duration.ofSeconds(1)), auth, logout);
    }

    private static String variable(String key, String name) {
        if (name == null) {
            throw new UserError("-prof redfish: userEnv= and passwordEnv= go together; name both variables");
        }
        String value = System.getenv(name);
        if (value == null || value.isEmpty()) {
            throw new UserError("-prof redfish: " + key + "=" + name + " names an environment variable that is not set;"
                    + " export it before the run");
        }
        return value;
    }

    /** For a BMC's self-signed certificate, on the user's word (insecure=true) only. */
    private static void trustAnyCertificate(OkHttpClient.Builder http) {
        X509TrustManager any = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        try {
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, new TrustManager[] {any}, new SecureRandom());
            http.sslSocketFactory(tls.getSocketFactory(), any).hostnameVerifier((host, session) -> true);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no TLS context: " + e.getMessage(), e);
        }
    }
}
