package org.tokenpowerbench.report;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Which trial a row of the run folder belongs to: the benchmark class and the trial's description
 * (its parameter values, the key a resume compares), and {@link #id()}, a short hash of both that
 * every file carries as {@code trial_id} / {@code trialId}. The id joins any file to
 * {@code trial-axes.csv}, where the trial's axes are columns, so no one has to parse the
 * description to plot against {@code batch}.
 *
 * @param benchmark   the benchmark class
 * @param description the trial's description ({@code model=... batch=4 ...})
 */
public record TrialKey(String benchmark, String description) {

    public TrialKey {
        Objects.requireNonNull(benchmark, "benchmark");
        Objects.requireNonNull(description, "description");
    }

    /**
     * {@code t} and 12 hex digits of the SHA-256 of the benchmark and the description: the same
     * trial has the same id in every attempt and every run folder, and a different one with any
     * other value. The letter keeps CSV readers from taking an id such as {@code 12e456789012}
     * for a number, which would break a join with the JSON lines' string.
     */
    public String id() {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                    .digest((benchmark + "\n" + description).getBytes(StandardCharsets.UTF_8));
            return "t" + HexFormat.of().formatHex(hash, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
