package org.tokenpowerbench.engine.gguf;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * A SentencePiece-style vocabulary for {@code tokenizer.ggml.model = "llama"}, generated without
 * any download.
 *
 * <p>Layout, for a size {@code n}:
 * <ol>
 *   <li>id 0 {@code <unk>} (token type 2, unknown), id 1 {@code <s>} and id 2 {@code </s>}
 *       (token type 3, control);</li>
 *   <li>ids 3..258: the byte-fallback tokens {@code <0x00>} .. {@code <0xFF>} (token type 6);</li>
 *   <li>then normal pieces (token type 1) with strictly descending scores 0, -1, -2, ...: the
 *       word-boundary marker {@code ▁} and single letters, digits and punctuation; then a fixed list
 *       of English words and suffixes, each preceded by all its prefixes ({@code ▁t}, {@code ▁th},
 *       {@code ▁the}) so that llama.cpp's merge-based tokenizer can reach every piece; then
 *       pseudo-words built from syllables by a {@link Random} with a fixed seed, until {@code n}
 *       tokens exist.</li>
 * </ol>
 * All tokens are distinct, and the vocabulary of a smaller size is a prefix of that of a larger one.
 * Special tokens and byte tokens have score 0.
 */
public final class SyntheticVocabulary {

    /** Smallest size: the three special tokens and the 256 byte tokens. */
    public static final int MIN_SIZE = 259;

    /** Token id of {@code <unk>}. */
    public static final int UNK_ID = 0;
    /** Token id of {@code <s>} (beginning of sequence). */
    public static final int BOS_ID = 1;
    /** Token id of {@code </s>} (end of sequence). */
    public static final int EOS_ID = 2;

    /** Token type of a normal piece. */
    public static final int TYPE_NORMAL = 1;
    /** Token type of the unknown token. */
    public static final int TYPE_UNKNOWN = 2;
    /** Token type of a control token. */
    public static final int TYPE_CONTROL = 3;
    /** Token type of a byte-fallback token. */
    public static final int TYPE_BYTE = 6;

    /** SentencePiece's word-boundary marker, U+2581. */
    public static final String SPACE = "\u2581";

    private static final long SYLLABLE_SEED = 0x7470_6276_6f63_6162L;

    private static final String SINGLES =
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,;:!?'\"-()";

    private static final String[] WORDS = {
        "the", "of", "and", "to", "in", "is", "it", "that", "was", "for", "on", "are", "with", "as",
        "he", "she", "they", "be", "at", "one", "have", "this", "from", "or", "had", "by", "not",
        "but", "what", "some", "we", "can", "out", "other", "were", "all", "there", "when", "up",
        "use", "your", "how", "said", "an", "each", "which", "do", "their", "time", "if", "will",
        "way", "about", "many", "then", "them", "would", "like", "so", "these", "her", "long",
        "make", "thing", "see", "him", "two", "has", "look", "more", "day", "could", "go", "come",
        "did", "number", "sound", "no", "most", "people", "my", "over", "know", "water", "than",
        "call", "first", "who", "may", "down", "side", "been", "now", "find", "hello", "world",
        "cat", "dog", "energy", "power", "model", "token", "bench", "light", "house", "tree",
        "river", "city", "small", "large", "good", "new", "old", "great", "little", "just", "where",
        "after", "back", "year", "work", "a", "I", "The", "A", "It", "In", "This",
    };

    private static final String[] SUFFIXES = {
        "s", "ed", "ing", "er", "ers", "ly", "tion", "est", "ness", "ment", "able", "al", "ic", "ous",
    };

    private static final String[] ONSETS = {
        "", "b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z",
        "br", "ch", "cl", "dr", "fl", "gr", "pl", "pr", "sh", "st", "th", "tr",
    };
    private static final String[] NUCLEI = {"a", "e", "i", "o", "u", "ai", "ea", "ou", "y"};
    private static final String[] CODAS = {"", "n", "r", "s", "t", "l", "m", "ck", "nd", "st"};

    private final List<String> tokens;
    private final float[] scores;
    private final int[] tokenTypes;

    private SyntheticVocabulary(List<String> tokens, float[] scores, int[] tokenTypes) {
        this.tokens = tokens;
        this.scores = scores;
        this.tokenTypes = tokenTypes;
    }

    /**
     * Generates the vocabulary of a given size (deterministic: always the same tokens).
     *
     * @param size number of tokens, at least {@link #MIN_SIZE}
     * @return the vocabulary
     * @throws IllegalArgumentException if {@code size} is too small
     */
    public static SyntheticVocabulary generate(int size) {
        if (size < MIN_SIZE) {
            throw new IllegalArgumentException("vocabulary size must be at least " + MIN_SIZE + ", not " + size);
        }
        Set<String> pieces = new LinkedHashSet<>(size * 2);
        pieces.add("<unk>");
        pieces.add("<s>");
        pieces.add("</s>");
        for (int b = 0; b < 256; b++) {
            pieces.add(String.format("<0x%02X>", b));
        }
        addUpTo(pieces, size, SPACE);
        for (int i = 0; i < SINGLES.length(); i++) {
            addUpTo(pieces, size, SINGLES.substring(i, i + 1));
        }
        for (String w : WORDS) {
            addWithPrefixes(pieces, size, SPACE + w);
        }
        for (String s : SUFFIXES) {
            addWithPrefixes(pieces, size, s);
        }
        Random random = new Random(SYLLABLE_SEED);
        int misses = 0;
        while (pieces.size() < size) {
            int syllables = 1 + random.nextInt(3);
            StringBuilder word = new StringBuilder();
            if (random.nextInt(10) < 6) {
                word.append(SPACE);
            }
            for (int s = 0; s < syllables; s++) {
                word.append(ONSETS[random.nextInt(ONSETS.length)])
                        .append(NUCLEI[random.nextInt(NUCLEI.length)])
                        .append(CODAS[random.nextInt(CODAS.length)]);
            }
            int before = pieces.size();
            addWithPrefixes(pieces, size, word.toString());
            misses = pieces.size() == before ? misses + 1 : 0;
            if (misses > 1_000_000) {
                throw new IllegalStateException("cannot generate " + size + " distinct tokens");
            }
        }

        List<String> list = Collections.unmodifiableList(new ArrayList<>(pieces));
        float[] scores = new float[size];
        int[] types = new int[size];
        types[UNK_ID] = TYPE_UNKNOWN;
        types[BOS_ID] = TYPE_CONTROL;
        types[EOS_ID] = TYPE_CONTROL;
        for (int i = 3; i < MIN_SIZE; i++) {
            types[i] = TYPE_BYTE;
        }
        for (int i = MIN_SIZE; i < size; i++) {
            types[i] = TYPE_NORMAL;
            scores[i] = -(i - MIN_SIZE);
        }
        return new SyntheticVocabulary(list, scores, types);
    }

    private static void addUpTo(Set<String> pieces, int size, String piece) {
        if (pieces.size() < size) {
            pieces.add(piece);
        }
    }

    /** Adds every prefix of {@code piece} of two or more characters, shortest first. */
    private static void addWithPrefixes(Set<String> pieces, int size, String piece) {
        int[] cps = piece.codePoints().toArray();
        for (int len = Math.min(2, cps.length); len <= cps.length && pieces.size() < size; len++) {
            pieces.add(new String(cps, 0, len));
        }
    }

    /** @return the number of tokens */
    public int size() {
        return tokens.size();
    }

    /** @return the tokens, indexed by id (unmodifiable) */
    public List<String> tokens() {
        return tokens;
    }

    /** @return a copy of the scores, indexed by id */
    public float[] scores() {
        return scores.clone();
    }

    /** @return a copy of the token types, indexed by id */
    public int[] tokenTypes() {
        return tokenTypes.clone();
    }
}
