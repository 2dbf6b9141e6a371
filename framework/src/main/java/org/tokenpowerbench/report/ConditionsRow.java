package org.tokenpowerbench.report;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.tokenpowerbench.power.OperatingConditions;

/**
 * {@code conditions.jsonl}: one line per iteration, sensor and device with how the device ran
 * during the wave's window: readings, throttled readings and their reasons, hottest temperature,
 * SM clock range, and where the device keeps hold-back times, each cause's milliseconds between
 * the readings that bracket the wave ({@code heldBackMs}, over {@code heldBackSpanMs})
 * ({@link OperatingConditions}).
 */
public final class ConditionsRow {

    public static final String FILE = "conditions.jsonl";

    private ConditionsRow() {
    }

    public static void append(RunDirectory dir, TrialKey trial, String iteration, String sensor, OperatingConditions c) {
        for (OperatingConditions.Device d : c.devices()) {
            ObjectNode json = dir.newObject();
            json.put("kind", "conditions");
            json.put("trial", trial.description());
            json.put("trialId", trial.id());
            json.put("iteration", iteration);
            json.put("sensor", sensor);
            json.put("device", d.device());
            json.put("readings", d.readings());
            json.put("throttledReadings", d.throttled());
            com.fasterxml.jackson.databind.node.ArrayNode reasons = json.putArray("reasons");
            d.reasons().forEach(reasons::add);
            if (Double.isFinite(d.maxTemperatureC())) {
                json.put("maxTemperatureC", d.maxTemperatureC());
            }
            if (Double.isFinite(d.minClockMHz())) {
                json.put("minSmClockMHz", d.minClockMHz());
                json.put("meanSmClockMHz", d.meanClockMHz());
            }
            if (d.heldBackSpanNanos() > 0) {
                json.put("heldBackSpanMs", d.heldBackSpanNanos() / 1e6);
                ObjectNode held = json.putObject("heldBackMs");
                d.heldBackNanos().forEach((cause, ns) -> held.put(cause, ns / 1e6));
                json.put("throttledMs", d.throttledNanos() / 1e6);
            }
            dir.appendJsonLine(FILE, json);
        }
    }
}
