package org.tokenpowerbench.processor;

/**
 * A string as a Java string literal. The generated class, the JMH annotations copied into it and
 * the compile errors that quote a user's value all write strings this one way, so a value that
 * needs escaping (quotes, backslashes, non-ASCII) reads the same everywhere and the generated
 * source is plain ASCII whatever encoding javac writes it in.
 */
final class JavaLiteral {

    private JavaLiteral() {
    }

    /** {@code v} in double quotes, escaped; every character outside printable ASCII as a Unicode escape. */
    static String of(String v) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : v.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
