package org.tokenpowerbench.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.OptionalLong;
import org.tokenpowerbench.engine.gguf.GgufFile;

/**
 * The key-value cache the embedded engine asks llama.cpp for, sized before the model is loaded, so
 * that a context no machine can hold is one line naming the batch and what to do. Why: with
 * {@code batch=100000} llama.cpp spent two minutes of system time trying to allocate 38 million
 * tokens of cache, then failed in words that blamed the model file ("is it a complete GGUF file?").
 *
 * <p>The size is a lower bound, so that it never refuses a batch llama.cpp could serve: keys and
 * values in f16 (llama.cpp's default cache type) for every layer,
 * {@code 2 * 2 bytes * embedding_length * head_count_kv / head_count} a token and a layer, from the
 * GGUF file's own metadata; plus the attention mask of one micro-batch over the whole cache, at
 * least 2 bytes a cached token and a micro-batch token. The model's weights, the attention scores
 * and llama.cpp's other buffers come on top of it. (The mask matters: llama-tiny's cache for
 * {@code batch=100000} is 19 GiB, which fit the 23 GiB free where it was tried, and llama.cpp
 * still failed after two minutes; its mask adds 14 GiB.)
 *
 * @param tokens the context, in tokens: slots times the context a slot needs, times two
 * @param bytes  the cache and the mask, at least, or -1 where the file does not give the model's dimensions
 */
record KvCache(long tokens, long bytes) {

    /** The cache of {@code tokens} tokens of {@code gguf}'s model, read by micro-batches of {@code microBatch} tokens. */
    static KvCache of(GgufFile gguf, long tokens, int microBatch) {
        String arch = gguf.architecture().orElse(null);
        if (arch == null) {
            return new KvCache(tokens, -1);
        }
        OptionalLong layers = gguf.getLong(arch + ".block_count");
        OptionalLong width = gguf.getLong(arch + ".embedding_length");
        OptionalLong heads = gguf.getLong(arch + ".attention.head_count");
        OptionalLong kvHeads = gguf.getLong(arch + ".attention.head_count_kv");
        if (layers.isEmpty() || width.isEmpty() || heads.isEmpty() || heads.getAsLong() <= 0) {
            return new KvCache(tokens, -1);
        }
        double perTokenAndLayer = 2.0 * 2.0 * width.getAsLong() * kvHeads.orElse(heads.getAsLong()) / heads.getAsLong();
        double bytes = (perTokenAndLayer * layers.getAsLong() + 2.0 * microBatch) * tokens;
        return new KvCache(tokens, bytes >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) bytes);
    }

    /**
     * The memory this machine has free for a new allocation ({@code MemAvailable} of
     * {@code /proc/meminfo}, in bytes), or -1 where that is not known (not Linux).
     */
    static long available(Path meminfo) {
        try {
            for (String line : Files.readAllLines(meminfo)) {
                if (line.startsWith("MemAvailable:")) {
                    String[] parts = line.trim().split("\\s+");
                    return Long.parseLong(parts[1]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /**
     * Why this cache cannot be allocated with {@code availableBytes} free, or null where it may be:
     * the batch and the context it asks for, the size against the free memory, and what to lower.
     */
    String tooLarge(int slots, int perSlot, long availableBytes) {
        if (bytes < 0 || availableBytes < 0 || bytes <= availableBytes) {
            return null;
        }
        return String.format(Locale.ROOT, "the embedded engine would need at least %.1f GiB of key-value cache for batch=%d"
                        + " (%d slots of %d tokens, doubled against fragmentation: %d tokens), more than the %.1f GiB this"
                        + " machine has free: lower batch or the prompt and output lengths, or serve the model from a"
                        + " launched engine on a GPU (engine=launch:...)",
                bytes / GIB, slots, slots, perSlot, tokens, availableBytes / GIB);
    }

    private static final double GIB = 1024.0 * 1024 * 1024;
}
