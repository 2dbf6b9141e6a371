package org.tokenpowerbench.workload;

import org.tokenpowerbench.UserError;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.tokenpowerbench.client.ChatMessage;
import org.tokenpowerbench.client.CompletionRequest;
import org.tokenpowerbench.client.Tokenizer;

/**
 * The prompts of a wave: synthetic prompts of an exact length in the served model's tokenizer, or
 * entries sampled from a file ({@link DatasetFile}).
 *
 * <p>Each synthetic prompt is ordinary English-like text drawn, with a seed, from a fixed word
 * list; its length is then adjusted one word at a time, checking the tokenizer after every change,
 * until the server will see exactly the requested number of tokens (including the begin-of-sequence
 * token the server adds). Prompts differ from each other, so no server-side prefix cache can make a
 * later request cheaper than the first.
 *
 * @param prompts      the texts
 * @param tokensEach   the exact token count of every prompt, as the server counts them; -1 when
 *                     lengths differ or are not controlled
 * @param tokenizedBy  the tokenizer used, for the results
 * @param outputTokens per prompt, the tokens to generate; empty when every prompt takes the wave's
 * @param messages     per prompt, chat messages to send to the chat API instead of the text (an
 *                     empty list for a plain prompt); empty when no prompt has any
 */
public record PromptSet(List<String> prompts, int tokensEach, String tokenizedBy, List<Integer> outputTokens,
                        List<List<ChatMessage>> messages) {

    private static final String[] WORDS = (
            "the of and to in is was for on that with as by at from his her this which are be or "
            + "an had not but were they have one all their there been has would when who more some "
            + "time into only other new could years first after also two may most such made over "
            + "many then these state city water power light energy river house world small great "
            + "table number line order music paper table garden winter summer morning window letter "
            + "market station island mountain school family story question answer village history")
            .split(" ");

    /**
     * The version of the synthetic text generator (the word list, the prefixes, how words are added):
     * part of {@link PromptCache}'s key, so raise it with any change that alters the prompts a seed gives,
     * or a run folder's cache would hand out prompts this code no longer builds.
     */
    static final int GENERATOR = 1;

    public PromptSet {
        prompts = List.copyOf(prompts);
        outputTokens = outputTokens == null ? List.of() : List.copyOf(outputTokens);
        messages = messages == null ? List.of() : messages.stream().map(List::copyOf).toList();
        if (!outputTokens.isEmpty() && outputTokens.size() != prompts.size()) {
            throw new IllegalArgumentException(outputTokens.size() + " output lengths for " + prompts.size() + " prompts");
        }
        if (!messages.isEmpty() && messages.size() != prompts.size()) {
            throw new IllegalArgumentException(messages.size() + " message lists for " + prompts.size() + " prompts");
        }
    }

    /** Plain prompts that all take the wave's output length. */
    public PromptSet(List<String> prompts, int tokensEach, String tokenizedBy) {
        this(prompts, tokensEach, tokenizedBy, List.of(), List.of());
    }

    /**
     * Builds {@code count} distinct prompts of exactly {@code tokens} tokens.
     *
     * @throws IllegalArgumentException when {@code tokens} is too small for the tokenizer's
     *                                  special tokens, or an exact length cannot be reached
     */
    public static PromptSet synthetic(Tokenizer tokenizer, int count, int tokens, long seed) {
        return synthetic(tokenizer, count, tokens, seed, "inputTokens");
    }

    /**
     * As {@link #synthetic(Tokenizer, int, int, long)}, naming the parameter that set the length
     * ({@code inputTokens} or {@code contextLength}) in its errors.
     */
    public static PromptSet synthetic(Tokenizer tokenizer, int count, int tokens, long seed, String lengthName) {
        if (count < 1) {
            throw new IllegalArgumentException("prompt count must be at least 1, was " + count);
        }
        int[] lengths = new int[count];
        Arrays.fill(lengths, tokens);
        return synthetic(tokenizer, lengths, seed, lengthName);
    }

    /**
     * Builds one distinct prompt per entry of {@code lengths}, each of exactly that many tokens.
     * {@link #tokensEach()} is the common length, or -1 when lengths differ.
     */
    public static PromptSet synthetic(Tokenizer tokenizer, int[] lengths, long seed, String lengthName) {
        if (lengths.length < 1) {
            throw new IllegalArgumentException("prompt count must be at least 1, was " + lengths.length);
        }
        int special = tokenizer.specialTokensAdded();
        SplittableRandom random = new SplittableRandom(seed);
        List<String> prompts = new ArrayList<>(lengths.length);
        boolean same = true;
        for (int i = 0; i < lengths.length; i++) {
            int tokens = lengths[i];
            if (tokens <= special) {
                throw new UserError(lengthName + "=" + tokens + " leaves no room for text: the server adds "
                        + special + " special token(s) to every prompt; use " + lengthName + " >= " + (special + 1));
            }
            same &= tokens == lengths[0];
            prompts.add(exact(tokenizer, tokens, random, i, lengthName));
        }
        return new PromptSet(prompts, same ? lengths[0] : -1, tokenizer.description());
    }

    /** This set with its own output length for every prompt. */
    public PromptSet withOutputTokens(int[] lengths) {
        if (lengths.length != prompts.size()) {
            throw new IllegalArgumentException(lengths.length + " output lengths for " + prompts.size() + " prompts");
        }
        return new PromptSet(prompts, tokensEach, tokenizedBy, Arrays.stream(lengths).boxed().toList(), messages);
    }

    private static String exact(Tokenizer tokenizer, int target, SplittableRandom random, int index, String lengthName) {
        // Every prompt starts with a prefix that contains its index, so that prompts differ; the prefix
        // is never shortened (that could make all prompts equal). For targets shorter than the usual
        // prefix, the bare index is tried.
        List<List<String>> prefixes = List.of(
                List.of("Request", Integer.toString(index), ":"),
                List.of(Integer.toString(index)));
        int shortest = Integer.MAX_VALUE;
        int closest = -1;
        for (List<String> prefix : prefixes) {
            List<String> words = new ArrayList<>(prefix);
            int n = tokenizer.promptTokens(String.join(" ", words));
            shortest = Math.min(shortest, n);
            if (n > target) {
                continue;
            }
            String fit = fill(tokenizer, words, n, target, random);
            if (fit != null) {
                return fit;
            }
            closest = Math.max(closest, tokenizer.promptTokens(String.join(" ", words)));
        }
        if (target < shortest) {
            throw new UserError("cannot build distinct prompts of exactly " + target + " tokens with "
                    + tokenizer.description() + ": the shortest distinct prompt already has " + shortest
                    + " tokens (special tokens included); use " + lengthName + " >= " + shortest);
        }
        throw new UserError("cannot build a prompt of exactly " + target + " tokens with "
                + tokenizer.description() + " (closest: " + closest + "); choose another " + lengthName);
    }

    /**
     * Adds random words to {@code words} (which has {@code n <= target} tokens) while under the
     * target, then completes it exactly; null when no exact completion was found.
     *
     * <p>Each count is a tokenizer call, and against a remote server a call is a {@code /tokenize}
     * request. Adding one word per call cost about one request per token (some 500 for a 512-token
     * prompt, seconds of server traffic and GPU energy per trial). So words are added in batches sized
     * to nine tenths of the remaining gap at the tokens-per-word rate seen so far, counted once; a
     * batch that overshoots is halved and tried again with the same words (the prompt stays a
     * function of the seed alone). A 512-token prompt takes about ten calls.
     */
    private static String fill(Tokenizer tokenizer, List<String> words, int n, int target, SplittableRandom random) {
        int start = n;
        int added = 0;
        int cap = Integer.MAX_VALUE;
        List<String> pending = new ArrayList<>();
        for (int guard = 0; n < target; guard++) {
            if (guard > 4 * target + 16) {
                return null;
            }
            double perWord = added == 0 || n == start ? 1.5 : (n - start) / (double) added;
            int batch = Math.min(cap, Math.max(1, (int) Math.floor(0.9 * (target - n) / perWord)));
            while (pending.size() < batch) {
                pending.add(WORDS[random.nextInt(WORDS.length)]);
            }
            List<String> trial = new ArrayList<>(words);
            trial.addAll(pending.subList(0, batch));
            int m = tokenizer.promptTokens(String.join(" ", trial));
            if (m <= target) {
                words.addAll(pending.subList(0, batch));
                pending.subList(0, batch).clear();
                added += batch;
                n = m;
                cap = Integer.MAX_VALUE;
            } else if (batch == 1) {
                // a multi-token word overshot: try single-token words until one lands exactly
                return fitOne(tokenizer, words, target);
            } else {
                cap = batch / 2;
            }
        }
        return n == target ? String.join(" ", words) : null;
    }

    /** Tries to complete {@code words} to exactly {@code target} tokens, adding words one by one. */
    private static String fitOne(Tokenizer tokenizer, List<String> words, int target) {
        List<String> trial = new ArrayList<>(words);
        for (int guard = 0; guard < 4 * target + 16; guard++) {
            int n = tokenizer.promptTokens(String.join(" ", trial));
            if (n == target) {
                return String.join(" ", trial);
            }
            boolean added = false;
            for (String w : WORDS) {
                trial.add(w);
                int m = tokenizer.promptTokens(String.join(" ", trial));
                if (m <= target && m > n) {
                    added = true;
                    break;
                }
                trial.remove(trial.size() - 1);
            }
            if (!added) {
                return null;
            }
        }
        return null;
    }

    /**
     * Prompts of {@code words} words each, for a server whose tokenizer cannot be reached. Their
     * token count is NOT controlled; the results take prompt tokens from the server's usage and
     * say that lengths were not controlled.
     */
    public static PromptSet uncontrolled(int count, int words, long seed) {
        int[] lengths = new int[count];
        Arrays.fill(lengths, words);
        return uncontrolled(lengths, seed);
    }

    /** As {@link #uncontrolled(int, int, long)}, prompt {@code i} of {@code words[i]} words. */
    public static PromptSet uncontrolled(int[] words, long seed) {
        int count = words.length;
        SplittableRandom random = new SplittableRandom(seed);
        List<String> prompts = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            StringBuilder sb = new StringBuilder("Request ").append(i).append(':');
            for (int w = 0; w < words[i]; w++) {
                sb.append(' ').append(WORDS[random.nextInt(WORDS.length)]);
            }
            prompts.add(sb.toString());
        }
        return new PromptSet(prompts, -1, "none (lengths not controlled)");
    }

    public int size() {
        return prompts.size();
    }

    public String get(int i) {
        return prompts.get(i);
    }

    /** Tokens prompt {@code i} asks for: its own output length, or {@code waveDefault}. */
    public int outputTokens(int i, int waveDefault) {
        return outputTokens.isEmpty() ? waveDefault : outputTokens.get(i);
    }

    /** The request for prompt {@code i}, with its own output length where it has one. */
    public CompletionRequest request(int i, int waveDefault) {
        return new CompletionRequest(i, prompts.get(i), outputTokens(i, waveDefault),
                messages.isEmpty() ? List.of() : messages.get(i));
    }

    /** Prompts {@code from} (inclusive) to {@code to} (exclusive), as a set of their own. */
    public PromptSet slice(int from, int to) {
        return new PromptSet(prompts.subList(from, to), tokensEach, tokenizedBy,
                outputTokens.isEmpty() ? List.of() : outputTokens.subList(from, to),
                messages.isEmpty() ? List.of() : messages.subList(from, to));
    }
}
