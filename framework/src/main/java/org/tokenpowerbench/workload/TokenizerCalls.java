package org.tokenpowerbench.workload;

import org.tokenpowerbench.client.TokenCountSource;
import org.tokenpowerbench.client.Tokenizer;

/**
 * A tokenizer that counts its calls and the time they took, so that a trial can say what building
 * its prompts cost: against a remote server every call is a {@code /tokenize} request, and that
 * traffic (and the server's energy for it) happens before the measurement, but on the same GPU.
 */
final class TokenizerCalls implements Tokenizer {
    private final Tokenizer inner;
    private long calls;
    private long nanos;

    TokenizerCalls(Tokenizer inner) {
        this.inner = inner;
    }

    @Override
    public int[] encode(String text) {
        long t = System.nanoTime();
        try {
            return inner.encode(text);
        } finally {
            nanos += System.nanoTime() - t;
            calls++;
        }
    }

    @Override
    public int specialTokensAdded() {
        return inner.specialTokensAdded();
    }

    @Override
    public String description() {
        return inner.description();
    }

    @Override
    public TokenCountSource countSource() {
        return inner.countSource();
    }

    long calls() {
        return calls;
    }

    double seconds() {
        return nanos / 1e9;
    }
}
