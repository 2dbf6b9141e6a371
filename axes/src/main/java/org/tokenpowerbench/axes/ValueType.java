package org.tokenpowerbench.axes;

/**
 * The Java type of an axis: the type of its JMH {@code @Param} field, of the value the generated
 * code passes by name, and of what {@code -p name=text} must parse as.
 */
public enum ValueType {
    INT("int", Integer.class, "is not a whole number"),
    LONG("long", Long.class, "is not a whole number"),
    DOUBLE("double", Double.class, "is not a number"),
    STRING("String", String.class, null);

    private final String javaName;
    private final Class<?> boxed;
    private final String notParsed;

    ValueType(String javaName, Class<?> boxed, String notParsed) {
        this.javaName = javaName;
        this.boxed = boxed;
        this.notParsed = notParsed;
    }

    /** The field's type in generated source: {@code int}, {@code double}, {@code String}. */
    public String javaName() {
        return javaName;
    }

    /** Whether {@code value} is of this type (boxed). */
    public boolean holds(Object value) {
        return boxed.isInstance(value);
    }

    /**
     * The value of {@code text} as JMH would set the field, or null when JMH could not (then
     * {@link #notParsed()} says what is wrong with it).
     */
    public Object parse(String text) {
        try {
            return switch (this) {
                case INT -> Integer.parseInt(text.trim());
                case LONG -> Long.parseLong(text.trim());
                case DOUBLE -> Double.parseDouble(text.trim());
                case STRING -> text;
            };
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Why a text does not parse: {@code is not a whole number}, {@code is not a number}. */
    public String notParsed() {
        return notParsed;
    }

    /**
     * Why {@code text} does not parse, in its own words: a whole number past this type's range
     * ({@code 99999999999} for an int) {@code is too large} or {@code is too small} (with the bound),
     * where "not a whole number" would send the user looking for a typo; otherwise {@link #notParsed()}.
     */
    public String notParsed(String text) {
        if ((this == INT || this == LONG) && text != null && text.trim().matches("[+-]?[0-9]+")) {
            boolean negative = text.trim().startsWith("-");
            String bound = this == INT ? (negative ? Integer.toString(Integer.MIN_VALUE) : Integer.toString(Integer.MAX_VALUE))
                    : (negative ? Long.toString(Long.MIN_VALUE) : Long.toString(Long.MAX_VALUE));
            return (negative ? "is too small (the least is " : "is too large (the most is ") + bound + ")";
        }
        return notParsed;
    }

    /**
     * A value as text for a {@code @Param} value and a trial's description: a whole double without
     * its {@code .0} ({@code rate=2}, as the user wrote it), everything else as Java prints it.
     */
    public static String text(Object value) {
        if (value instanceof Double d) {
            double v = d;
            return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
        }
        return String.valueOf(value);
    }
}
