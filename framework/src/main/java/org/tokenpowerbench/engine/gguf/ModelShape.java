package org.tokenpowerbench.engine.gguf;

import java.util.Objects;

/**
 * The dimensions of a llama-architecture model: everything that decides how much work (and energy)
 * one token costs, independent of the weight values.
 *
 * @param name          short name, e.g. {@code llama-tiny}
 * @param nEmbd         embedding (hidden) size
 * @param nLayer        number of transformer blocks
 * @param nHead         number of query heads; must divide {@code nEmbd}
 * @param nHeadKv       number of key/value heads (grouped-query attention when below
 *                      {@code nHead}); must divide {@code nHead}
 * @param nFf           feed-forward (SwiGLU) hidden size
 * @param nVocab        vocabulary size, at least 259 (3 special and 256 byte tokens)
 * @param contextLength training context length written to the model ({@code llama.context_length})
 */
public record ModelShape(String name, int nEmbd, int nLayer, int nHead, int nHeadKv, int nFf, int nVocab,
                         int contextLength) {

    /**
     * Checks that the dimensions are positive and consistent.
     *
     * @param name short name
     * @param nEmbd embedding size
     * @param nLayer number of blocks
     * @param nHead number of query heads
     * @param nHeadKv number of key/value heads
     * @param nFf feed-forward size
     * @param nVocab vocabulary size
     * @param contextLength training context length
     * @throws IllegalArgumentException if a dimension is not positive or the heads do not divide evenly
     */
    public ModelShape {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("blank shape name");
        }
        if (nEmbd <= 0 || nLayer <= 0 || nHead <= 0 || nHeadKv <= 0 || nFf <= 0 || contextLength <= 0) {
            throw new IllegalArgumentException(name + ": dimensions must be positive");
        }
        if (nEmbd % nHead != 0) {
            throw new IllegalArgumentException(name + ": nEmbd " + nEmbd + " is not a multiple of nHead " + nHead);
        }
        if (nHead % nHeadKv != 0) {
            throw new IllegalArgumentException(name + ": nHead " + nHead + " is not a multiple of nHeadKv " + nHeadKv);
        }
        if (nVocab < SyntheticVocabulary.MIN_SIZE) {
            throw new IllegalArgumentException(name + ": nVocab must be at least " + SyntheticVocabulary.MIN_SIZE);
        }
    }

    /** @return the size of one attention head, {@code nEmbd / nHead} */
    public int headDim() {
        return nEmbd / nHead;
    }

    /** @return the width of the key and value projections, {@code headDim * nHeadKv} */
    public int nEmbdKv() {
        return headDim() * nHeadKv;
    }

    /**
     * The number of weights in the llama tensor set: token embedding and output matrix
     * ({@code 2 * nEmbd * nVocab}), per block four attention projections, three feed-forward
     * matrices and two norm vectors, plus the final norm.
     *
     * @return the parameter count
     */
    public long parameterCount() {
        long e = nEmbd;
        long perBlock = 2 * e * e            // attn_q, attn_output
                + 2 * e * nEmbdKv()          // attn_k, attn_v
                + 3 * e * nFf                // ffn_gate, ffn_up, ffn_down
                + 2 * e;                     // attn_norm, ffn_norm
        return 2 * e * nVocab + nLayer * perBlock + e;
    }
}
