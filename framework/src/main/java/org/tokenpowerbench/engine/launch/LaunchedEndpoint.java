package org.tokenpowerbench.engine.launch;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the host tells a trial's fork about the engine it launched for it, as system properties on
 * the fork's command line (JMH has no other channel from the host to a fork's set-up): where it
 * listens, the model name its requests carry, a tokenizer file, and what starting it cost, which
 * the fork publishes as the trial's {@code engine.startup.*} results.
 *
 * @param url            the base URL, {@code http://127.0.0.1:PORT}
 * @param servedModel    the model name requests carry
 * @param tokenizer      a tokenizer file to count with, or null
 * @param reused         whether the engine was already running for an earlier trial
 * @param startupSeconds launch to ready; 0 when reused
 * @param startupJoules  joules from launch to ready per sensor label; empty when reused or unmeasured
 * @param pid            the engine's process id on this host, for its CPU per wave
 *                       ({@code workload.HostCpu}); -1 when not known
 */
public record LaunchedEndpoint(String url, String servedModel, Path tokenizer, boolean reused, double startupSeconds,
                               Map<String, Double> startupJoules, long pid) {

    public static final String URL = "tpb.launch.url";
    public static final String MODEL = "tpb.launch.model";
    public static final String TOKENIZER = "tpb.launch.tokenizer";
    public static final String REUSED = "tpb.launch.reused";
    public static final String STARTUP_SECONDS = "tpb.launch.startupSeconds";
    /** {@code label=J,label=J}: labels are sensor labels (no {@code ,} or {@code =} in them). */
    public static final String STARTUP_JOULES = "tpb.launch.startupJ";
    public static final String PID = "tpb.launch.pid";

    public LaunchedEndpoint {
        startupJoules = Map.copyOf(startupJoules);
    }

    /** Without the engine's process id. */
    public LaunchedEndpoint(String url, String servedModel, Path tokenizer, boolean reused, double startupSeconds,
                            Map<String, Double> startupJoules) {
        this(url, servedModel, tokenizer, reused, startupSeconds, startupJoules, -1);
    }

    /** The fork's JVM arguments that carry this. */
    public List<String> jvmArgs() {
        List<String> out = new ArrayList<>();
        out.add("-D" + URL + "=" + url);
        out.add("-D" + MODEL + "=" + servedModel);
        if (tokenizer != null) {
            out.add("-D" + TOKENIZER + "=" + tokenizer.toAbsolutePath());
        }
        out.add("-D" + REUSED + "=" + reused);
        out.add("-D" + STARTUP_SECONDS + "=" + startupSeconds);
        StringBuilder j = new StringBuilder();
        new TreeMap<>(startupJoules).forEach((label, joules) -> j.append(j.length() == 0 ? "" : ",")
                .append(label).append('=').append(String.format(Locale.ROOT, "%.6f", joules)));
        out.add("-D" + STARTUP_JOULES + "=" + j);
        if (pid > 0) {
            out.add("-D" + PID + "=" + pid);
        }
        return out;
    }

    /** What the host passed to this JVM, or null when it launched nothing for it. */
    public static LaunchedEndpoint fromSystemProperties() {
        String url = System.getProperty(URL);
        if (url == null || url.isBlank()) {
            return null;
        }
        String tokenizer = System.getProperty(TOKENIZER);
        Map<String, Double> joules = new TreeMap<>();
        String j = System.getProperty(STARTUP_JOULES, "");
        for (String part : j.split(",")) {
            int eq = part.lastIndexOf('=');
            if (eq > 0) {
                joules.put(part.substring(0, eq), Double.parseDouble(part.substring(eq + 1)));
            }
        }
        return new LaunchedEndpoint(url, System.getProperty(MODEL, ""), tokenizer == null ? null : Path.of(tokenizer),
                Boolean.parseBoolean(System.getProperty(REUSED, "false")),
                Double.parseDouble(System.getProperty(STARTUP_SECONDS, "0")), joules,
                Long.parseLong(System.getProperty(PID, "-1")));
    }
}
