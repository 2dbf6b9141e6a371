package org.tokenpowerbench.axes;

import java.util.Locale;
import java.util.Set;
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
public record Rule(String what, String todo, Predicate<Object> accepts) {

    /** Any value. */
    public static final Rule ANY = new Rule("", "", v -> true);

    /** Text with something in it. */
    public static Rule nonBlank(String todo) {
        return new Rule("is blank", todo, v -> !((String) v).isBlank());
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
}
