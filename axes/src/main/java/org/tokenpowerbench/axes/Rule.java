package org.tokenpowerbench.axes;

import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * What values an axis allows, and the words for one that it does not: {@code what} is wrong with
 * the value ({@code is not allowed}) and what to do ({@code it must be at least 1}). The words are
 * the same at compile time ({@code @Batch(0) is not allowed: it must be at least 1}) and before a
 * run ({@code batch=0 is not allowed: it must be at least 1 (-p batch=...)}); each side adds only
 * how the user wrote the value.
 *
 * <p>A rule sees one value of the right {@link ValueType}. Checks that need two axes at once
 * (Poisson arrivals with a burstiness, a dataset with a prompt length) or the framework (reading a
 * dataset file, parsing request fields fully) are not rules: they stay with the code that knows both.
 */
public record Rule(String what, String todo, Predicate<Object> accepts, Function<Object, String> complaintOf) {

    /** Any value. */
    public static final Rule ANY = new Rule("", "", v -> true);

    /** A rule whose complaint is the same for every value it does not allow. */
    public Rule(String what, String todo, Predicate<Object> accepts) {
        this(what, todo, accepts, null);
    }

    /**
     * Text with something in it, and no blank at its start or end: a name or a path, where
     * {@code -p model=a, b} or {@code @Model(" x")} would otherwise look for {@code " b"} and fail
     * later as "does not exist", with the blank hard to see.
     */
    public static Rule nonBlank(String todo) {
        return new Rule("is blank", todo, v -> !((String) v).isBlank() && ((String) v).strip().equals(v),
                v -> ((String) v).isBlank() ? "is blank: " + todo
                        : "begins or ends with a blank ('" + v + "'): remove it");
    }

    /** A whole number of at least {@code min}. */
    public static Rule atLeast(long min, String what, String todo) {
        return new Rule(what, todo, v -> ((Number) v).longValue() >= min);
    }

    /** A finite number from {@code min} to {@code max}; {@code NaN} is never allowed. */
    public static Rule between(double min, double max, String what, String todo) {
        return new Rule(what, todo, v -> {
            double d = ((Number) v).doubleValue();
            return d >= min && d <= max;
        });
    }

    /** A finite number above {@code min}. */
    public static Rule above(double min, String what, String todo) {
        return new Rule(what, todo, v -> {
            double d = ((Number) v).doubleValue();
            return d > min && d < Double.POSITIVE_INFINITY;
        });
    }

    /** One of {@code names}, ignoring case and surrounding blanks. */
    public static Rule oneOf(Set<String> names, String todo) {
        return new Rule("is not known", todo, v -> names.contains(((String) v).trim().toLowerCase(Locale.ROOT)));
    }

    /** Text that {@code pattern} matches whole, ignoring case and surrounding blanks. */
    public static Rule matching(Pattern pattern, String what, String todo) {
        return new Rule(what, todo, v -> pattern.matcher(((String) v).trim().toLowerCase(Locale.ROOT)).matches());
    }

    /** Whether {@code value} is allowed. */
    public boolean allows(Object value) {
        return accepts.test(value);
    }

    /** {@code what: todo}, the part of a complaint that does not depend on how the value was written. */
    public String complaint() {
        return what + ": " + todo;
    }

    /** The complaint about {@code value}, one this rule does not allow: {@link #complaint()} unless the rule words it by value. */
    public String complaint(Object value) {
        return complaintOf == null ? complaint() : complaintOf.apply(value);
    }
}
