package org.tokenpowerbench.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One line of {@code engines.jsonl}: what happened to a managed engine for a trial, written by the
 * host as it happens. A trial has one {@code ready}, {@code reused} or {@code failed} line; an
 * engine's end is a {@code stopped} line carrying the trial that started it. Start-up seconds and
 * joules (per sensor label, as the energy figures are labelled) are what starting cost; a reused
 * engine's line has 0 seconds and no joules, because that trial paid nothing to start.
 *
 * @param invocation     the command that wrote it
 * @param trialId        the trial's id ({@link TrialKey#id()})
 * @param trial          the trial's description
 * @param event          {@code ready}, {@code reused}, {@code failed} or {@code stopped}
 * @param engine         the trial's engine value ({@code launch:vllm;...})
 * @param model          the trial's model value, as the engine was asked to load it
 * @param command        the engine's command line (the values of the user's engine value; the
 *                       environment is never written)
 * @param port           the loopback port it listens on (a failed start: the port it was given; 0 when
 *                       the start failed before a port was picked)
 * @param version        what the engine says its version is, or null
 * @param startupSeconds launch to ready in seconds ({@code ready}), 0 ({@code reused}), else NaN
 * @param startupJoules  joules spent from launch to ready per sensor label; empty when none was measured
 * @param stopSeconds    seconds from SIGTERM until the whole tree was gone ({@code stopped}), else NaN
 * @param exitStatus     the engine's exit status ({@code stopped}; {@code failed} once it was started), else null
 * @param log            the engine's log file
 * @param message        why it failed or stopped, one line (the log tail is in the failure record), or null
 * @param escapedProcesses ({@code stopped}) how many of the engine's processes had left its process tree and
 *                       group (a double fork, {@code setsid}) and were found by its environment mark and stopped;
 *                       else null
 */
public record EngineRow(String invocation, String trialId, String trial, String event, String engine, String model,
                        String command, int port,
                        String version, double startupSeconds, Map<String, Double> startupJoules, double stopSeconds,
                        Integer exitStatus, String log, String message, Integer escapedProcesses) {

    public static final String FILE = "engines.jsonl";

    public EngineRow {
        startupJoules = Map.copyOf(startupJoules);
    }

    /** Appends this row (its {@code invocation} is the writing JVM's). */
    public void appendTo(RunDirectory dir) {
        ObjectNode n = dir.newObject();
        n.put("kind", "engine");
        n.put("trialId", trialId);
        n.put("trial", trial);
        n.put("event", event);
        n.put("engine", engine);
        n.put("model", model);
        n.put("command", command);
        n.put("port", port);
        n.put("version", version);
        putNumber(n, "startupSeconds", startupSeconds);
        ObjectNode joules = n.putObject("startupJ");
        new java.util.TreeMap<>(startupJoules).forEach(joules::put);
        putNumber(n, "stopSeconds", stopSeconds);
        if (exitStatus == null) {
            n.putNull("exitStatus");
        } else {
            n.put("exitStatus", exitStatus);
        }
        n.put("log", log);
        n.put("message", message);
        if (escapedProcesses != null) {
            n.put("escapedProcesses", escapedProcesses);
        }
        dir.appendJsonLine(FILE, n);
    }

    private static void putNumber(ObjectNode n, String name, double v) {
        if (Double.isNaN(v)) {
            n.putNull(name);
        } else {
            n.put(name, v);
        }
    }

    /** Every row of a run folder in the order written; a line cut short is skipped. */
    public static List<EngineRow> read(Path runDir) throws IOException {
        List<EngineRow> out = new ArrayList<>();
        try {
            for (JsonNode n : JsonLines.read(runDir.resolve(FILE))) {
                Map<String, Double> joules = new LinkedHashMap<>();
                n.path("startupJ").fields().forEachRemaining(e -> joules.put(e.getKey(), e.getValue().asDouble()));
                out.add(new EngineRow(n.path("invocation").asText(""), n.path("trialId").asText(""),
                        n.path("trial").asText(""), n.path("event").asText(""), text(n, "engine"), text(n, "model"),
                        n.path("command").asText(""),
                        n.path("port").asInt(), text(n, "version"), number(n, "startupSeconds"), joules,
                        number(n, "stopSeconds"), n.path("exitStatus").isInt() ? n.path("exitStatus").asInt() : null,
                        n.path("log").asText(""), text(n, "message"),
                        n.path("escapedProcesses").isInt() ? n.path("escapedProcesses").asInt() : null));
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return out;
    }

    private static String text(JsonNode n, String name) {
        JsonNode v = n.path(name);
        return v.isTextual() ? v.asText() : null;
    }

    private static double number(JsonNode n, String name) {
        JsonNode v = n.path(name);
        return v.isNumber() ? v.asDouble() : Double.NaN;
    }
}
