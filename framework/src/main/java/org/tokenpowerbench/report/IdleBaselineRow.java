package org.tokenpowerbench.report;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.tokenpowerbench.energy.IdleBaseline;

/** {@code idle-baselines.jsonl}: one line per trial and sensor with the idle baseline measured before its first wave. */
public final class IdleBaselineRow {

    public static final String FILE = "idle-baselines.jsonl";

    private IdleBaselineRow() {
    }

    public static void append(RunDirectory dir, String sensor, String trial, IdleBaseline baseline) {
        ObjectNode json = dir.newObject();
        json.put("kind", "idleBaseline");
        json.put("sensor", sensor);
        json.put("trial", trial);
        json.put("watts", baseline.watts());
        json.put("seconds", baseline.seconds());
        json.put("method", baseline.method());
        json.put("gaps", baseline.gaps());
        dir.appendJsonLine(FILE, json);
    }
}
