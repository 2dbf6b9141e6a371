package org.tokenpowerbench.client;

/** Where a request's token counts came from. Shown beside every count in the results. */
public enum TokenCountSource {
    /** The server's {@code usage} object: exact. */
    SERVER_USAGE,
    /**
     * The model's tokenizer run on the text: exact for that tokenizer; the
     * {@link Tokenizer#description()} the results carry beside it ({@code promptTokenization})
     * says which. The two below are the tokenizers a remote engine has.
     */
    TOKENIZER,
    /** A Hugging Face {@code tokenizer.json} the user named, run on the streamed text. */
    TOKENIZER_JSON,
    /** The server's own {@code /tokenize} endpoint, asked about the streamed text. */
    SERVER_TOKENIZE,
    /**
     * The stream's chunks: used for reasoning tokens only ({@link TokenKinds}), and only where the
     * count is exact rather than a guess: each chunk's own cumulative count where every chunk has one
     * (continuous usage), else one token per chunk where every content chunk carried exactly one
     * (as many content chunks as output tokens).
     */
    STREAM_CHUNKS,
    /** No count was available; nothing was estimated. */
    NONE;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
