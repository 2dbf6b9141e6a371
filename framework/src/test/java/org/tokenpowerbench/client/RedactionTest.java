package org.tokenpowerbench.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * The key in every form an echo was seen to take it in, by a server that lies (the forms an
 * independent check of this tool produced): as sent, PHP's escaped slash, JSON's unicode escapes,
 * upper case, URL encoding, base64 of the header.
 */
class RedactionTest {

    private static final String KEY = "sk-secret/12345";
    private final Redaction redaction = new Redaction(KEY);

    private void gone(String echoed) {
        String out = redaction.apply("bad key " + echoed + " here");
        assertTrue(out.startsWith("bad key ") && out.endsWith(Redaction.MARK + " here"), echoed + " -> " + out);
        assertFalse(out.toLowerCase(java.util.Locale.ROOT).contains("secret"), out);
    }

    @Test
    void theKeyAsSent() {
        gone(KEY);
        gone("Bearer " + KEY);
    }

    @Test
    void theKeyAsJsonAndPhpEscapeIt() {
        gone("sk-secret\\/12345");
        gone("sk\\u002dsecret/12345");
        gone("sk\\u002Dsecret\\u002f12345");
        gone("\\u0073\\u006b-secret/12345");
    }

    @Test
    void theKeyUpperCasedOrUrlEncoded() {
        gone("SK-SECRET/12345");
        gone("sk-secret%2F12345");
        gone("sk%2dsecret%2f12345");
    }

    @Test
    void theHeaderInBase64() {
        String header = Base64.getEncoder().encodeToString(("Bearer " + KEY).getBytes(StandardCharsets.UTF_8));
        String out = redaction.apply("token " + header);
        assertFalse(out.contains(header.substring(0, 12)), out);
        String key = Base64.getEncoder().encodeToString(KEY.getBytes(StandardCharsets.UTF_8));
        assertFalse(redaction.apply(key).contains(key.substring(0, 12)), redaction.apply(key));
    }

    @Test
    void aKeyWithASpaceUrlEncodedAsPlus() {
        assertEquals("x " + Redaction.MARK, new Redaction("ab cd").apply("x ab+cd"));
    }

    @Test
    void otherTextIsLeftAsItIs() {
        String text = "model sk-other/12345 and sk-secret/1234 and secret";
        assertEquals(text, redaction.apply(text));
        assertEquals(text, Redaction.NONE.apply(text));
        assertNull(redaction.apply(null));
    }
}
