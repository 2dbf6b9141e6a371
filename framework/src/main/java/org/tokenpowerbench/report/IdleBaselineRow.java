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

    /** Watts to the milliwatt: finer than any sensor here reads. */
    private static double round(double watts) {
        return Math.round(watts * 1000) / 1000.0;
    }

    /**
     * Appends the baseline measured over {@code [fromNanos, toNanos]} on {@link System#nanoTime()}.
     * Where the window took {@code tries} measurements because a GPU's power moved within the
     * earlier ones (or within this one, the tries run out), also {@code idleTries} and
     * {@code idlePowerMoved} (what moved, e.g. {@code gpu0.power-buffer 140.2 W then 127.1 W}); and
     * where the sensor measures GPU power, {@code idleHalves}: each such channel's mean over the
     * window's first and second half, in watts ({@code {"gpu0.power-buffer": [128.1, 127.9]}}),
     * whether it moved or not.
     */
    public static void append(RunDirectory dir, String sensor, TrialKey trial, long fromNanos, long toNanos,
                              IdleBaseline baseline, int tries, java.util.List<String> moved,
                              java.util.List<org.tokenpowerbench.energy.IdleHalves> halves) {
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
        if (!halves.isEmpty()) {
            ObjectNode h = json.putObject("idleHalves");
            for (org.tokenpowerbench.energy.IdleHalves half : halves) {
                h.putArray(half.channel()).add(round(half.firstWatts())).add(round(half.secondWatts()));
            }
        }
        dir.appendJsonLine(FILE, json);
    }
}
