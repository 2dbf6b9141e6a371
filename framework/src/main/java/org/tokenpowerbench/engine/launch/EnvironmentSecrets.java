package org.tokenpowerbench.engine.launch;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.tokenpowerbench.client.Redaction;

/**
 * The values of a launched engine's environment that look like secrets, taken out of every line of
 * its log that a failure quotes. Why: engines print their environment when they start or fail (an
 * engine logging {@code HF_TOKEN=hf_...} once put the token in {@code failures.jsonl}, the summary
 * and the report through the log's tail). The engine's environment is this JVM's plus what its
 * preset adds, so both are covered.
 *
 * <p>A secret is the value of a variable whose name contains {@code KEY}, {@code TOKEN},
 * {@code SECRET}, {@code PASSWORD}, {@code PASSWD}, {@code CREDENTIAL} or {@code AUTH} (in any case)
 * and that is at least {@value #MIN_CHARS} characters long: shorter values ({@code 0}, {@code true},
 * {@code none}) would garble every line and protect nothing. Each is redacted by a
 * {@link Redaction} of its own, in every form an echo takes it, longest first. The log file itself is
 * the engine's own output and stays as it wrote it.
 *
 * @param redactions one per secret value, longest value first
 */
record EnvironmentSecrets(List<Redaction> redactions) {

    /** Words in a variable's name that make its value a secret. */
    static final List<String> NAME_WORDS = List.of("KEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL", "AUTH");

    /** The shortest value taken for a secret. */
    static final int MIN_CHARS = 8;

    /** None: redacts nothing. */
    static final EnvironmentSecrets NONE = new EnvironmentSecrets(List.of());

    EnvironmentSecrets {
        redactions = List.copyOf(redactions);
    }

    /** The secrets of {@code environment} (name to value). */
    static EnvironmentSecrets of(Map<String, String> environment) {
        List<String> values = new ArrayList<>();
        for (Map.Entry<String, String> e : environment.entrySet()) {
            String value = e.getValue();
            if (value != null && value.length() >= MIN_CHARS && secretName(e.getKey()) && !values.contains(value)) {
                values.add(value);
            }
        }
        values.sort(Comparator.comparingInt(String::length).reversed());
        return new EnvironmentSecrets(values.stream().map(Redaction::new).toList());
    }

    /** Whether a variable of this name holds a secret. */
    static boolean secretName(String name) {
        String upper = name.toUpperCase(Locale.ROOT);
        return NAME_WORDS.stream().anyMatch(upper::contains);
    }

    /** {@code text} with every secret replaced by {@link Redaction#MARK}. */
    String apply(String text) {
        for (Redaction r : redactions) {
            text = r.apply(text);
        }
        return text;
    }
}
