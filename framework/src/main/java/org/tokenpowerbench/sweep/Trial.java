package org.tokenpowerbench.sweep;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One point of a sweep: a benchmark method (JMH's name, {@code package.Class.method}) with one value
 * for each of its {@code @Param}s, the unit that {@link Main} runs, records and, with
 * {@code --resume}, skips.
 *
 * @param benchmark the benchmark's full name
 * @param params    one value per parameter, in JMH's order (by name)
 */
public record Trial(String benchmark, Map<String, String> params) {

    public Trial {
        Objects.requireNonNull(benchmark, "benchmark");
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    /** For lines on the console: {@code benchmark {batch=1, model=...}}. */
    @Override
    public String toString() {
        return benchmark + " " + params;
    }
}
