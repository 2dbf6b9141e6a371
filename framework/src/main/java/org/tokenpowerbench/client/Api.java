package org.tokenpowerbench.client;

import org.tokenpowerbench.UserError;
import java.util.Locale;

/** Which OpenAI-compatible route a benchmark drives. */
public enum Api {
    COMPLETIONS("/v1/completions"),
    CHAT("/v1/chat/completions");

    private final String path;

    Api(String path) {
        this.path = path;
    }

    public String path() {
        return path;
    }

    /** Parses {@code completions} or {@code chat}, with an error that lists both. */
    public static Api parse(String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "completions", "completion" -> COMPLETIONS;
            case "chat", "chat-completions" -> CHAT;
            default -> throw new UserError(
                    "api '" + value + "' is not known: use 'completions' (/v1/completions) or 'chat' (/v1/chat/completions)");
        };
    }
}
