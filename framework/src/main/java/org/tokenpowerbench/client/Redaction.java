package org.tokenpowerbench.client;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes the API key from text that came from a server before anything records or prints it.
 *
 * <p>Why: a server or proxy that echoes the request's {@code Authorization} header in an error
 * body, a model list or a metric's label would otherwise put the key in the request's error, and
 * from there in {@code requests.csv}, {@code failures.jsonl}, {@code engine-metrics.jsonl}, the
 * report and the console. An echo rarely keeps the key byte for byte, so every character of the key
 * is matched in each form an encoder writes it in: as itself in either case (an upper-casing
 * proxy), JSON's <code>&#92;uXXXX</code> escape and PHP's <code>&#92;/</code>, a backslash escape, and URL encoding
 * ({@code %XX}, {@code +} for a space), mixed as they come. The key's base64, alone and as the
 * header's {@code Bearer <key>}, is replaced too, up to its last whole group of three bytes (the
 * characters after it depend on what follows the key). The text is redacted whole before it is
 * abbreviated ({@link #abbreviate}), so that a cut can never leave the first characters of a key
 * behind. Any non-empty key is redacted, however short: a short key garbles messages, a leaked one
 * is worse.
 */
public final class Redaction {

    /** Redacts nothing: no key. */
    public static final Redaction NONE = new Redaction(null);

    /** What a key is replaced with. */
    public static final String MARK = "<redacted>";

    private final Pattern pattern;

    /** @param secret the API key, or null or empty for none */
    public Redaction(String secret) {
        if (secret == null || secret.isEmpty()) {
            pattern = null;
            return;
        }
        List<String> alternatives = new ArrayList<>();
        alternatives.add(characters(secret));
        for (String encoded : base64Forms(secret)) {
            alternatives.add(Pattern.quote(encoded));
        }
        pattern = Pattern.compile(String.join("|", alternatives), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
    }

    /** Whether there is a key to redact. */
    public boolean active() {
        return pattern != null;
    }

    /** {@code text} with every form of the key replaced by {@link #MARK}; null stays null. */
    public String apply(String text) {
        if (text == null || pattern == null) {
            return text;
        }
        Matcher m = pattern.matcher(text);
        return m.find() ? m.replaceAll(Matcher.quoteReplacement(MARK)) : text;
    }

    /** {@link StreamRecorder#abbreviate} of the redacted text: the key goes before the cut. */
    String abbreviate(String text) {
        return StreamRecorder.abbreviate(apply(text));
    }

    /** The key character by character, each in any of the forms an encoder writes it in. */
    private static String characters(String secret) {
        StringBuilder regex = new StringBuilder();
        secret.codePoints().forEach(cp -> {
            List<String> forms = new ArrayList<>();
            forms.add(Pattern.quote(new String(Character.toChars(cp))));
            for (char unit : Character.toChars(cp)) {
                forms.add(Pattern.quote(String.format(Locale.ROOT, "\\u%04x", (int) unit))); // matched in either case, as the hex digits come
            }
            if (cp < 0x80 && !Character.isLetterOrDigit(cp)) {
                forms.add(Pattern.quote("\\" + (char) cp)); // \/ as PHP writes it, \" and \\ as JSON does
            }
            StringBuilder percent = new StringBuilder();
            for (byte b : new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8)) {
                percent.append(String.format(Locale.ROOT, "%%%02x", b & 0xff));
            }
            forms.add(Pattern.quote(percent.toString()));
            if (cp == ' ') {
                forms.add(Pattern.quote("+"));
            }
            regex.append("(?:").append(String.join("|", forms)).append(')');
        });
        return regex.toString();
    }

    /** The key's base64 and the header's, standard and URL-safe, each cut to its whole groups of three bytes. */
    private static List<String> base64Forms(String secret) {
        List<String> out = new ArrayList<>();
        for (String raw : new String[] {secret, "Bearer " + secret}) {
            byte[] bytes = raw.getBytes(StandardCharsets.UTF_8);
            int whole = bytes.length / 3 * 3;
            if (whole < 6) {
                continue; // fewer than eight characters could stand for anything
            }
            byte[] cut = java.util.Arrays.copyOf(bytes, whole);
            for (Base64.Encoder encoder : new Base64.Encoder[] {Base64.getEncoder(), Base64.getUrlEncoder()}) {
                String encoded = encoder.encodeToString(cut);
                if (!out.contains(encoded)) {
                    out.add(encoded);
                }
            }
        }
        return out;
    }
}
