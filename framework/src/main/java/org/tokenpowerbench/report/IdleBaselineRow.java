package org.tokenpowerbench.report;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.tokenpowerbench.energy.IdleBaseline;

/**
 * {@code idle-baselines.jsonl}: one line per trial and sensor with the idle baseline measured
 * before its first wave, and the idle window it was measured over on the run folder's clock
 * ({@code fromUnixMs}, {@code toUnixMs}; {@link RunClock}), with its standard uncertainty
 * {@code uncertaintyWatts} and the parts it combines ({@code counterTimingWatts},
 * {@code spreadWatts}, {@code samplingWatts}; {@link IdleBaseline}). Those fields are newer than
 * the file: rows written before them lack them ({@code samplingWatts} is the newest), and a reader
 * takes their absence as "not known", never as 0.
 */
public final class IdleBaselineRow {

    public static final String FILE = "idle-baselines.jsonl";

    private IdleBaselineRow() {
    }

    /**
     * Appends the baseline measured over {@code [fromNanos, toNanos]} on {@link System#nanoTime()}.
     * Where the window took {@code tries} measurements because a GPU's power moved within the
     * earlier ones (or within this one, the tries run out), also {@code idleTries} and
     * {@code idlePowerMoved} (what moved, e.g. {@code gpu0.power-buffer 140.2 W then 127.1 W}).
     */
    public static void append(RunDirectory dir, String sensor, TrialKey trial, long fromNanos, long toNanos,
                              IdleBaseline baseline, int tries, java.util.List<String> moved) {
        RunClock clock = RunClock.of(dir);
        ObjectNode json = dir.newObject();
        json.put("kind", "idleBaseline");
        json.put("sensor", sensor);
        json.put("trial", trial.description());
        json.put("trialId", trial.id());
        json.put("fromUnixMs", clock.unixMillis(fromNanos));
        json.put("toUnixMs", clock.unixMillis(toNanos));
        json.put("watts", baseline.watts());
        json.put("uncertaintyWatts", baseline.uncertaintyWatts());
        json.put("counterTimingWatts", baseline.counterWatts());
        json.put("spreadWatts", baseline.spreadWatts());
        json.put("samplingWatts", baseline.samplingWatts());
        json.put("seconds", baseline.seconds());
        json.put("method", baseline.method());
        json.put("gaps", baseline.gaps());
        if (tries > 1 || !moved.isEmpty()) {
            json.put("idleTries", tries);
            com.fasterxml.jackson.databind.node.ArrayNode m = json.putArray("idlePowerMoved");
            moved.forEach(m::add);
        }
        dir.appendJsonLine(FILE, json);
    }
}
