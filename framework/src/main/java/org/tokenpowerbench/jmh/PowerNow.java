package org.tokenpowerbench.jmh;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.tokenpowerbench.energy.ScopeNesting;
import org.tokenpowerbench.power.Method;
import org.tokenpowerbench.power.PowerChannel;
import org.tokenpowerbench.power.PowerSampler;
import org.tokenpowerbench.power.Scope;

/**
 * The power the fork's sensors read now, for the live progress line ("watts now"): each
 * {@link PowerProfiler} shows its sampler here while an iteration runs, and the progress line
 * reads them when it prints. Each sensor counts its outermost channels only (a node's reading
 * already holds its GPUs), so one sensor's figure counts nothing twice; figures of several
 * sensors are kept apart by scope. A display, never a result: results come from the traces.
 */
final class PowerNow {

    /** The span a figure averages over: long enough that a counter that updates every 100 ms gives a steady figure. */
    static final long WINDOW_NANOS = 1_000_000_000L;

    private static final Map<String, PowerSampler> RUNNING = new ConcurrentHashMap<>();

    private PowerNow() {
    }

    /** One scope's power now. */
    record ScopePower(Scope scope, boolean estimate, double watts) {
    }

    static void show(String sensorId, PowerSampler sampler) {
        RUNNING.put(sensorId, sampler);
    }

    static void hide(String sensorId) {
        RUNNING.remove(sensorId);
    }

    /** Every running sensor's power now, per scope and method kind; empty when no power profiler runs or none has a reading yet. */
    static List<ScopePower> read() {
        Map<String, ScopePower> byScope = new TreeMap<>();
        for (PowerSampler sampler : RUNNING.values()) {
            List<PowerChannel> channels = sampler.sensor().channels();
            Predicate<PowerChannel> whole = ScopeNesting.outermost(channels);
            for (int c = 0; c < channels.size(); c++) {
                PowerChannel channel = channels.get(c);
                if (!whole.test(channel)) {
                    continue;
                }
                double watts = sampler.recentWatts(c, WINDOW_NANOS);
                if (Double.isNaN(watts)) {
                    continue;
                }
                boolean estimate = channel.method() == Method.ESTIMATED;
                byScope.merge(channel.scope().ordinal() + (estimate ? "e" : "m"),
                        new ScopePower(channel.scope(), estimate, watts),
                        (a, b) -> new ScopePower(a.scope(), a.estimate(), a.watts() + b.watts()));
            }
        }
        return List.copyOf(byScope.values());
    }

    /**
     * {@code power now: gpu 312 W}; {@code power now: 357 W = gpu 312 W + cpu 45 W (estimate)};
     * no total where a node or cluster figure sits beside its parts ({@code power now: gpu 312 W,
     * node 520 W}), since the node already holds the GPUs. Empty for no figures.
     */
    static String text(List<ScopePower> parts) {
        if (parts.isEmpty()) {
            return "";
        }
        List<String> each = new ArrayList<>();
        double total = 0;
        boolean estimate = false;
        boolean nested = false;
        for (ScopePower p : parts) {
            each.add(p.scope().label() + " " + watts(p.watts()) + (p.estimate() && parts.size() > 1 ? " estimate" : ""));
            total += p.watts();
            estimate |= p.estimate();
            nested |= p.scope() == Scope.NODE || p.scope() == Scope.CLUSTER;
        }
        String tail = parts.size() == 1 && estimate ? " (estimate)" : "";
        if (parts.size() == 1) {
            return "power now: " + each.get(0) + tail;
        }
        if (nested) {
            return "power now: " + String.join(", ", each);
        }
        return "power now: " + watts(total) + (estimate ? " (estimate)" : "") + " = " + String.join(" + ", each);
    }

    private static String watts(double w) {
        return w >= 100 ? String.format(Locale.ROOT, "%.0f W", w) : String.format(Locale.ROOT, "%.1f W", w);
    }
}
