package org.tokenpowerbench.client;

/** Where a request's token counts came from. Shown beside every count in the results. */
public enum TokenCountSource {
    /** The server's {@code usage} object: exact. */
    SERVER_USAGE,
    /** The model's own tokenizer, run by us on the text: exact for that tokenizer. */
    TOKENIZER,
    /** No count was available; nothing was estimated. */
    NONE;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
