package org.tokenpowerbench.workload;

import org.tokenpowerbench.UserError;
import java.nio.file.Path;
import org.tokenpowerbench.client.Tokenizer;

/**
 * Where a trial's prompts come from: synthetic prompts of an exact length ({@code @Prompts},
 * {@code @ContextLength}) or entries sampled from a file ({@code @Dataset}). A dataset file is read
 * (and checked) when the source is made, before any engine starts; the prompts are built by
 * {@link #load}, once the engine is up, because exact lengths need the served model's tokenizer.
 */
public final class PromptSource {

    /** Prompt building slower than this is worth a line: it is server traffic before every trial. */
    private static final double SLOW_BUILD_SECONDS = 10.0;

    /** Tokens a slot holds beyond the longest prompt and output. */
    private static final int SLOT_MARGIN = 8;

    /**
     * The least heap one prompt takes, besides its text: the String and its array's headers, its
     * place in the list, its drawn input and output lengths. A lower bound, so that the check below
     * never refuses a set that fits.
     */
    static final long LEAST_BYTES_A_PROMPT = 48;

    /** The prompts of a trial. */
    public record Loaded(PromptSet measured, PromptSet warmup, String tokenization) {
    }

    private final String dataset;
    private final int count;
    private final int warmup;
    private final int promptTokens;
    private final String lengthName;
    private final int maxTokens;
    private final long seed;
    private final DatasetFile file;
    private final LengthDistribution inputLengths;
    private final LengthDistribution outputLengths;

    /**
     * @param dataset      path of the dataset file, or empty for synthetic prompts
     * @param count        measured prompts per wave
     * @param warmup       extra prompts for a wave's unmeasured warm-up requests (distinct from the
     *                     measured ones, so that no prefix cache favours them)
     * @param promptTokens synthetic prompt length in tokens (unused for a dataset)
     * @param lengthName   the parameter that set {@code promptTokens}: {@code inputTokens} or
     *                     {@code contextLength}, for errors
     * @param maxTokens    a dataset entry's largest prompt plus output tokens (unused for synthetic)
     * @param seed         seed of the text generator or of the sampling
     * @throws IllegalArgumentException with one line naming the value, or the file and line, at fault
     */
    public PromptSource(String dataset, int count, int warmup, int promptTokens, String lengthName, int maxTokens,
                        long seed) {
        this(dataset, count, warmup, promptTokens, lengthName, maxTokens, seed, LengthDistribution.FIXED,
                LengthDistribution.FIXED);
    }

    /**
     * As above, with synthetic prompt and output lengths drawn around {@code promptTokens} and the
     * wave's output length (a dataset brings its own lengths: both must then be fixed).
     */
    public PromptSource(String dataset, int count, int warmup, int promptTokens, String lengthName, int maxTokens,
                        long seed, LengthDistribution inputLengths, LengthDistribution outputLengths) {
        this.inputLengths = inputLengths;
        this.outputLengths = outputLengths;
        this.dataset = dataset == null ? "" : dataset.trim();
        if (count < 1) {
            throw new UserError("prompts=" + count + " is not allowed: it must be at least 1 (-p prompts=...)");
        }
        if (warmup < 0) {
            throw new UserError("warmupRequests=" + warmup + " is not allowed: give 0 or more"
                    + " (-p warmupRequests=...)");
        }
        if (!this.dataset.isEmpty() && maxTokens < 2) {
            throw new UserError("@Dataset(maxTokens = " + maxTokens + ") leaves no room for a prompt and"
                    + " its output: give at least 2");
        }
        this.count = count;
        this.warmup = warmup;
        this.promptTokens = promptTokens;
        this.lengthName = lengthName;
        this.maxTokens = maxTokens;
        this.seed = seed;
        if (!this.dataset.isEmpty() && !(inputLengths.isFixed() && outputLengths.isFixed())) {
            throw new UserError("inputLengths=" + inputLengths.describe() + " outputLengths="
                    + outputLengths.describe() + " do not apply to a dataset, whose entries bring their own lengths:"
                    + " leave both fixed");
        }
        this.file = this.dataset.isEmpty() ? null : DatasetFile.read(Path.of(this.dataset));
    }

    public boolean isDataset() {
        return file != null;
    }

    /**
     * Tokens each engine slot must hold: prompt plus output plus a margin.
     *
     * @throws UserError when that is more than a slot's context can be ({@code @Prompts(inputTokens =
     *                   2_000_000_000)} would otherwise wrap round to a negative size)
     */
    public int contextPerSlot(int outputTokens) {
        long longest = isDataset() ? maxTokens
                : (long) inputLengths.highest(promptTokens) + outputLengths.highest(outputTokens);
        if (longest + SLOT_MARGIN > Integer.MAX_VALUE) {
            throw new UserError((isDataset() ? "@Dataset(maxTokens = " + maxTokens + ")"
                    : lengthName + "=" + promptTokens + " with outputTokens=" + outputTokens + " asks for sequences of up to "
                    + longest + " tokens, which")
                    + " is more than one sequence can hold (" + (Integer.MAX_VALUE - SLOT_MARGIN)
                    + " tokens): give shorter lengths");
        }
        return (int) (longest + SLOT_MARGIN);
    }

    /**
     * The number of prompts to build, measured and warm-up, when they can fit in {@code maxHeap}
     * bytes: each takes at least {@link #LEAST_BYTES_A_PROMPT} plus one byte a token of a synthetic
     * prompt (a token is at least one character). {@code -p prompts=2000000000} would otherwise fail
     * inside the trial as an OutOfMemoryError that names nothing the user wrote.
     *
     * @throws UserError naming prompts (and warmupRequests), the least heap they need and the fork's
     */
    public int fitsTheHeap(long maxHeap) {
        long total = (long) count + warmup;
        long each = LEAST_BYTES_A_PROMPT + (isDataset() ? 0 : inputLengths.lowest(promptTokens));
        long least = total * each;
        if (total > Integer.MAX_VALUE || least > maxHeap) {
            throw new UserError("prompts=" + count + (warmup > 0 ? " and warmupRequests=" + warmup : "")
                    + " would need at least " + gib(least) + " of the fork's heap for the prompts alone ("
                    + each + " bytes or more each), more than its " + gib(maxHeap)
                    + ": lower prompts, or give the fork more heap (-jvmArgsAppend -Xmx...)");
        }
        return (int) total;
    }

    private static String gib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
    }

    /**
     * Builds the prompts: exact in {@code tokenizer} when there is one, word counts otherwise (and
     * then says so on standard error).
     *
     * @param tokenizer    the served model's tokenizer, or null when none is reachable
     * @param outputTokens output length of a prompt that has none of its own
     * @throws IllegalArgumentException with one line naming the value at fault
     */
    public Loaded load(Tokenizer tokenizer, int outputTokens) {
        return load(tokenizer, outputTokens, PromptCache.off());
    }

    /**
     * As {@link #load(Tokenizer, int)}, taking synthetic prompts from {@code cache} when an earlier
     * trial built the same ones (one tokenizer call to check them) and storing them there when not.
     */
    public Loaded load(Tokenizer tokenizer, int outputTokens, PromptCache cache) {
        int total = fitsTheHeap(Runtime.getRuntime().maxMemory());
        PromptSet all;
        String tokenization;
        if (isDataset()) {
            all = file.sample(tokenizer, total, seed, maxTokens, outputTokens);
            tokenization = all.tokenizedBy();
            if (tokenizer == null || tokenization.contains("prompts repeat")) {
                System.err.println("tokenpowerbench: " + tokenization);
            }
        } else {
            // lengths come from generators of their own, so a fixed set stays the set it always was
            int[] inputs = inputLengths.draw(promptTokens, total, seed ^ 0x1A2B3C4D5E6F7788L);
            String name = inputLengths.isFixed() ? lengthName
                    : lengthName + " (drawn from inputLengths=" + inputLengths.describe() + ")";
            if (tokenizer != null) {
                TokenizerCalls counted = new TokenizerCalls(tokenizer);
                PromptCache.Found found = cache.synthetic(counted, inputs, seed, name);
                all = found.prompts();
                tokenization = "exact: " + tokenizer.description() + (found.cached()
                        ? String.format(java.util.Locale.ROOT, "; from cache (%d prompts, %d check call%s in %.2f s)",
                                total, counted.calls(), counted.calls() == 1 ? "" : "s", counted.seconds())
                        : String.format(java.util.Locale.ROOT, "; %d prompts built with %d tokenizer calls in %.2f s",
                                total, counted.calls(), counted.seconds()));
                if (counted.seconds() > SLOW_BUILD_SECONDS) {
                    System.err.println("tokenpowerbench: building the prompts took " + String.format(java.util.Locale.ROOT,
                            "%.1f s (%d calls to %s)", counted.seconds(), counted.calls(), tokenizer.description())
                            + "; that traffic ran on the server before the measurement");
                }
            } else {
                all = PromptSet.uncontrolled(inputs, seed);
                tokenization = "not controlled: the server has no tokenize endpoint; prompts are " + promptTokens
                        + " words, prompt token counts come from the server's usage";
                System.err.println("tokenpowerbench: " + tokenization);
            }
            if (!inputLengths.isFixed()) {
                tokenization += "; prompt lengths " + inputLengths.describe() + " around " + promptTokens;
            }
            if (!outputLengths.isFixed()) {
                all = all.withOutputTokens(outputLengths.draw(outputTokens, total, seed ^ 0x0F1E2D3C4B5A6978L));
                tokenization += "; output lengths " + outputLengths.describe() + " around " + outputTokens;
            }
        }
        return new Loaded(all.slice(0, count), all.slice(count, total), tokenization);
    }
}
