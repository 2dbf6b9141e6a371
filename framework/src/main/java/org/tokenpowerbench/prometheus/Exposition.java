package org.tokenpowerbench.prometheus;

import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * One parsed {@code /metrics} body.
 *
 * @param samples        every well-formed sample, in the body's order
 * @param types          the {@code # TYPE} of each family that declared one ({@code counter},
 *                       {@code gauge}, {@code histogram}, {@code summary}, {@code untyped})
 * @param malformedLines lines that were neither a sample, a comment nor blank: skipped, and counted
 *                       so that a server whose output we misread is seen rather than silently dropped
 */
public record Exposition(List<Sample> samples, Map<String, String> types, int malformedLines) {

    public Exposition {
        samples = List.copyOf(samples);
        types = Map.copyOf(types);
    }

    /** Whether any sample has this name. */
    public boolean has(String name) {
        return samples.stream().anyMatch(s -> s.name().equals(name));
    }

    /**
     * The sum of every series of {@code name} (one per engine, model or data-parallel rank), or
     * {@code NaN} when there is none: what a counter of a whole server is.
     */
    public double sum(String name) {
        return fold(name, true);
    }

    /** The largest value of any series of {@code name}, or {@code NaN} when there is none. */
    public double max(String name) {
        return fold(name, false);
    }

    private double fold(String name, boolean sum) {
        double acc = Double.NaN;
        for (Sample s : samples) {
            if (s.name().equals(name)) {
                acc = Double.isNaN(acc) ? s.value() : sum ? acc + s.value() : Math.max(acc, s.value());
            }
        }
        return acc;
    }

    /** The samples {@code keep} accepts, with the types and the malformed count kept. */
    public Exposition filter(Predicate<Sample> keep) {
        return new Exposition(samples.stream().filter(keep).toList(), types, malformedLines);
    }
}
