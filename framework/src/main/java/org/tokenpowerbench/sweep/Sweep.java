package org.tokenpowerbench.sweep;

import org.tokenpowerbench.UserError;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.openjdk.jmh.runner.BenchmarkListEntry;

/**
 * A sweep expanded into its trials, the way JMH's runner expands it: for every selected
 * benchmark, the cartesian product of its parameters, each taking the {@code -p} values when
 * given and the benchmark's own ({@code @Param}) values otherwise. The order is JMH's run order:
 * benchmarks as selected, parameters by name with the first name varying slowest, values in the
 * order given.
 */
final class Sweep {

    private Sweep() {
    }

    /**
     * @param entries   the selected benchmarks, in run order
     * @param overrides the {@code -p} values of a parameter name, or null (or empty) for none
     * @throws IllegalArgumentException when a parameter ends up with no value at all
     */
    static List<Trial> trials(Collection<BenchmarkListEntry> entries, Function<String, Collection<String>> overrides) {
        Set<Trial> trials = new LinkedHashSet<>(); // one benchmark in several modes is one trial: JMH runs the modes
        for (BenchmarkListEntry e : entries) {
            Map<String, String[]> defaults = new TreeMap<>(e.getParams().orElse(Map.of()));
            List<Map<String, String>> points = new ArrayList<>();
            points.add(new LinkedHashMap<>());
            for (Map.Entry<String, String[]> p : defaults.entrySet()) {
                Collection<String> given = overrides.apply(p.getKey());
                Collection<String> values = given == null || given.isEmpty() ? List.of(p.getValue()) : given;
                if (values.isEmpty()) {
                    throw new UserError(e.getUsername() + " has the parameter '" + p.getKey()
                            + "' without a value: give one with -p " + p.getKey() + "=...");
                }
                List<Map<String, String>> next = new ArrayList<>(points.size() * values.size());
                for (Map<String, String> point : points) {
                    for (String v : values) {
                        Map<String, String> copy = new LinkedHashMap<>(point);
                        copy.put(p.getKey(), v);
                        next.add(copy);
                    }
                }
                points = next;
            }
            for (Map<String, String> point : points) {
                trials.add(new Trial(e.getUsername(), point));
            }
        }
        return List.copyOf(trials);
    }
}
