package org.tokenpowerbench.power.redfish;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * Redfish session authentication ({@code auth=session}): many BMCs limit or slow basic
 * authentication and expect a client to log in once. The first request logs in with a {@code POST}
 * to {@code /redfish/v1/SessionService/Sessions} ({@code UserName}, {@code Password}), the BMC
 * answers with an {@code X-Auth-Token} header and the session's {@code Location}; every read then
 * carries the token, and {@link #logout} deletes the session when the sensor closes, so that runs do
 * not use up a BMC's few session slots. A BMC that expires the session mid-run (a 401) gets one new
 * login and the read is repeated once; a second refusal is the caller's error.
 *
 * <p>The password and the token are never put in a message, a log or the run folder: errors name
 * the HTTP status and the path only.
 */
final class RedfishSession implements Interceptor {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final MediaType JSON_TYPE = MediaType.get("application/json");
    static final String SESSIONS = "/redfish/v1/SessionService/Sessions";

    private final HttpUrl base;
    private final String user;
    private final String password;
    private String token;
    private HttpUrl location;
    private int logins;

    RedfishSession(HttpUrl base, String user, String password) {
        this.base = base;
        this.user = user;
        this.password = password;
    }

    @Override
    public synchronized Response intercept(Chain chain) throws IOException {
        if (token == null) {
            login(chain);
        }
        Response r = chain.proceed(withToken(chain.request()));
        if (r.code() == 401) {
            r.close();
            login(chain);
            r = chain.proceed(withToken(chain.request()));
        }
        return r;
    }

    private Request withToken(Request request) {
        return request.newBuilder().header("X-Auth-Token", token).build();
    }

    private void login(Chain chain) throws IOException {
        ObjectNode body = JSON.createObjectNode();
        body.put("UserName", user);
        body.put("Password", password);
        Request post = new Request.Builder().url(base.resolve(SESSIONS))
                .post(RequestBody.create(body.toString(), JSON_TYPE)).header("Accept", "application/json").build();
        try (Response r = chain.proceed(post)) {
            String t = r.header("X-Auth-Token");
            if (!r.isSuccessful() || t == null || t.isEmpty()) {
                throw new IOException("HTTP " + r.code() + " for POST " + SESSIONS
                        + (r.code() == 401 || r.code() == 403 ? " (the session login was refused: check the user and password)"
                        : t == null || t.isEmpty() ? " (no X-Auth-Token in the answer: does this BMC support sessions?"
                                + " else use auth=basic)" : ""));
            }
            token = t;
            String where = r.header("Location");
            location = where == null ? null : base.resolve(where);
            logins++;
        }
    }

    /** How many times this session logged in (one, plus one per expiry). */
    synchronized int logins() {
        return logins;
    }

    /** Deletes the session at the BMC; best effort, since the sensor is closing either way. */
    synchronized void logout(OkHttpClient plain) {
        if (token == null || location == null) {
            return;
        }
        Request delete = new Request.Builder().url(location).delete().header("X-Auth-Token", token).build();
        try (Response ignored = plain.newCall(delete).execute()) {
            token = null;
        } catch (IOException e) {
            // the BMC will expire the session itself; nothing of the measurement depends on it
            token = null;
        }
    }
}
