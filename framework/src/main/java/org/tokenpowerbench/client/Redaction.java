package org.tokenpowerbench.client;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Removes the API key from text that came from a server before anything records or prints it.
 *
 * <p>Why: a server or proxy that echoes the request's {@code Authorization} header in an error
 * body would otherwise put the key in the request's error, and from there in {@code requests.csv},
 * {@code failures.jsonl} and on the console. Every form a key is likely to take in an echo is
 * replaced: as sent, JSON-escaped and URL-encoded. The text is redacted whole before it is
 * abbreviated ({@link #abbreviate}), so that a cut can never leave the first characters of a key
 * behind. Any non-empty key is redacted, however short: a short key garbles messages, a leaked one
 * is worse.
 */
final class Redaction {

    static final Redaction NONE = new Redaction(null);

    /** What a key is replaced with. */
    static final String MARK = "<redacted>";

    private final String[] forms;

    /** @param secret the API key, or null or empty for none */
    Redaction(String secret) {
        if (secret == null || secret.isEmpty()) {
            forms = new String[0];
            return;
        }
        Set<String> all = new LinkedHashSet<>();
        all.add(secret);
        all.add(new String(JsonStringEncoder.getInstance().quoteAsString(secret)));
        all.add(URLEncoder.encode(secret, StandardCharsets.UTF_8));
        forms = all.toArray(new String[0]);
    }

    /** {@code text} with every form of the key replaced by {@link #MARK}; null stays null. */
    String apply(String text) {
        if (text == null) {
            return null;
        }
        String out = text;
        for (String form : forms) {
            out = out.replace(form, MARK);
        }
        return out;
    }

    /** {@link StreamRecorder#abbreviate} of the redacted text: the key goes before the cut. */
    String abbreviate(String text) {
        return StreamRecorder.abbreviate(apply(text));
    }
}
