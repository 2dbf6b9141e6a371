package org.tokenpowerbench.report;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.tokenpowerbench.energy.IdleBaseline;

/**
 * {@code idle-baselines.jsonl}: one line per trial and sensor with the idle baseline measured
 * before its first wave, and the idle window it was measured over on the run folder's clock
 * ({@code fromUnixMs}, {@code toUnixMs}; {@link RunClock}).
 */
public final class IdleBaselineRow {

    public static final String FILE = "idle-baselines.jsonl";

    private IdleBaselineRow() {
    }

    /** Appends the baseline measured over {@code [fromNanos, toNanos]} on {@link System#nanoTime()}. */
    public static void append(RunDirectory dir, String sensor, TrialKey trial, long fromNanos, long toNanos,
                              IdleBaseline baseline) {
        RunClock clock = RunClock.of(dir);
        ObjectNode json = dir.newObject();
        json.put("kind", "idleBaseline");
        json.put("sensor", sensor);
        json.put("trial", trial.description());
        json.put("trialId", trial.id());
        json.put("fromUnixMs", clock.unixMillis(fromNanos));
        json.put("toUnixMs", clock.unixMillis(toNanos));
        json.put("watts", baseline.watts());
        json.put("seconds", baseline.seconds());
        json.put("method", baseline.method());
        json.put("gaps", baseline.gaps());
        dir.appendJsonLine(FILE, json);
    }
}
