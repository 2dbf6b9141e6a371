package org.tokenpowerbench.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The best setting under service-level objectives, per energy label: of the measured trials that
 * meet every objective, the one with the least J/outputToken, and by how much it beats the next
 * one that meets them too. A user's own sweep answers the question a leaderboard's sliders answer
 * for someone else's.
 *
 * @param label    the energy label ({@code nvml}, {@code cpu.estimated})
 * @param slo      the objectives
 * @param best     the chosen trial; null when none meets them
 * @param next     the runner-up that meets them; null when only one (or none) does
 * @param meeting  how many trials meet them
 * @param measured how many trials have this label's J/outputToken
 * @param name     each trial's short name (the parameters the sweep varied), by trial
 */
public record SloChoice(String label, ServiceObjectives slo, TrialResult best, TrialResult next, int meeting,
                        int measured, Map<TrialResult, String> name) {

    private static final String J_PER_OUTPUT_TOKEN = ".J/outputToken";

    /** One choice per energy label the trials have; empty when no objective is given. */
    public static List<SloChoice> of(List<TrialResult> trials, ServiceObjectives slo) {
        if (slo.isEmpty()) {
            return List.of();
        }
        Set<String> labels = new LinkedHashSet<>();
        trials.forEach(t -> t.metrics().keySet().stream().filter(k -> k.endsWith(J_PER_OUTPUT_TOKEN))
                .forEach(k -> labels.add(k.substring(0, k.length() - J_PER_OUTPUT_TOKEN.length()))));
        Map<TrialResult, String> names = names(trials);
        List<SloChoice> out = new ArrayList<>();
        for (String label : labels) {
            List<TrialResult> measured = trials.stream().filter(t -> Double.isFinite(energy(t, label))).toList();
            List<TrialResult> meeting = measured.stream().filter(slo::metBy)
                    .sorted(Comparator.comparingDouble(t -> energy(t, label))).toList();
            out.add(new SloChoice(label, slo, meeting.isEmpty() ? null : meeting.get(0),
                    meeting.size() < 2 ? null : meeting.get(1), meeting.size(), measured.size(), names));
        }
        return out;
    }

    /** The trial's J/outputToken under {@code label}; NaN when it has none. */
    public static double energy(TrialResult t, String label) {
        Metric m = t.metrics().get(label + J_PER_OUTPUT_TOKEN);
        return m == null ? Double.NaN : m.score();
    }

    public boolean estimated() {
        return label.endsWith(".estimated");
    }

    /** How much less energy per output token the best takes than the next, as a fraction of the next's. */
    public double margin() {
        return next == null ? Double.NaN : 1 - energy(best, label) / energy(next, label);
    }

    /** The choice in one sentence, for the console and the page. */
    public String sentence() {
        String what = label + J_PER_OUTPUT_TOKEN + (estimated() ? " (estimated)" : "");
        if (best == null) {
            return String.format(Locale.ROOT, "Under %s: none of the %d measured trials meets every objective (%s).",
                    slo, measured, what);
        }
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
                "Under %s: %s takes the least %s of the %d of %d trials that meet every objective, %s J",
                slo, name.get(best), what, meeting, measured, ServiceObjectives.number(energy(best, label))));
        if (next == null) {
            s.append("; no other trial meets them.");
        } else {
            s.append(String.format(Locale.ROOT, ", %.1f %% less than the next, %s (%s J).", margin() * 100,
                    name.get(next), ServiceObjectives.number(energy(next, label))));
        }
        return s.toString();
    }

    /** Each trial by the parameters whose values differ between trials (the benchmark's name when none do). */
    public static Map<TrialResult, String> names(List<TrialResult> trials) {
        Map<String, Set<String>> values = new LinkedHashMap<>();
        trials.forEach(t -> t.params().forEach((k, v) -> values.computeIfAbsent(k, x -> new LinkedHashSet<>()).add(v)));
        Map<TrialResult, String> out = new java.util.IdentityHashMap<>();
        for (TrialResult t : trials) {
            StringBuilder s = new StringBuilder();
            values.forEach((k, v) -> {
                if (v.size() > 1) {
                    s.append(s.length() == 0 ? "" : " ").append(k).append('=').append(t.params().get(k));
                }
            });
            out.put(t, s.length() == 0 ? t.benchmark() : s.toString());
        }
        return out;
    }
}
