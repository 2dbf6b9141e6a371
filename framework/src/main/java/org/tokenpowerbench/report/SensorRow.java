package org.tokenpowerbench.report;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import org.tokenpowerbench.energy.AttributionPolicy;
import org.tokenpowerbench.energy.PowerSignal;
import org.tokenpowerbench.power.PowerChannel;
import org.tokenpowerbench.power.PowerSensor;

/**
 * {@code sensors.jsonl}: one line per sensor a fork opened: its update and sampling periods, its
 * channels (device, scope, method, kind) and what it says about its hardware (device names,
 * driver versions, power limits), and the {@code pid} that names its {@code power-<sensor>-<pid>-<n>.csv} files.
 */
public final class SensorRow {

    public static final String FILE = "sensors.jsonl";

    private SensorRow() {
    }

    public static void append(RunDirectory dir, PowerSensor sensor, Duration samplingPeriod, AttributionPolicy policy) {
        ObjectNode json = dir.newObject();
        json.put("kind", "sensor");
        json.put("sensor", sensor.id());
        json.put("pid", ProcessHandle.current().pid());
        json.put("updatePeriodMs", sensor.updatePeriod().toNanos() / 1e6);
        json.put("samplingPeriodMs", samplingPeriod.toNanos() / 1e6);
        json.put("maxGapMs", PowerSignal.defaultMaxGapNanos(samplingPeriod, sensor.updatePeriod()) / 1e6);
        json.put("attributionPolicy", policy.label());
        ObjectNode channels = json.putObject("channels");
        for (PowerChannel c : sensor.channels()) {
            channels.put(c.name(), c.device() + " " + c.scope().label() + " " + c.method().label() + " " + c.kind());
        }
        ObjectNode env = json.putObject("environment");
        sensor.environment().forEach(env::put);
        dir.appendJsonLine(FILE, json);
    }
}
