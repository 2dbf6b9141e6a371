package org.tokenpowerbench.client;

/** The served model's tokenizer, as far as a benchmark needs it. */
public interface Tokenizer {

    /** Token ids of {@code text}, without any special token the server would add. */
    int[] encode(String text);

    /** How many special tokens (a begin-of-sequence token) the server adds to every prompt. */
    int specialTokensAdded();

    /** Tokens the server sees for this prompt: {@code encode(text).length + specialTokensAdded()}. */
    default int promptTokens(String text) {
        return encode(text).length + specialTokensAdded();
    }

    /** Where this tokenizer lives, for the results, e.g. {@code embedded llama.cpp vocabulary}. */
    String description();

    /** The label counts made with this tokenizer carry in the results (e.g. {@code tokens.output.<label>}). */
    default TokenCountSource countSource() {
        return TokenCountSource.TOKENIZER;
    }
}
