package org.tokenpowerbench.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tokenpowerbench.engine.gguf.GgufFile;
import org.tokenpowerbench.engine.gguf.GgufValue;
import org.tokenpowerbench.engine.gguf.GgufValueType;

/** The embedded engine's cache, sized before llama.cpp is asked for it. */
class KvCacheTest {

    private static GgufFile llama(long layers, long width, long heads, Long kvHeads) {
        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put("general.architecture", new GgufValue(GgufValueType.STRING, null, -1, "llama"));
        m.put("llama.block_count", new GgufValue(GgufValueType.UINT32, null, -1, layers));
        m.put("llama.embedding_length", new GgufValue(GgufValueType.UINT32, null, -1, width));
        m.put("llama.attention.head_count", new GgufValue(GgufValueType.UINT32, null, -1, heads));
        if (kvHeads != null) {
            m.put("llama.attention.head_count_kv", new GgufValue(GgufValueType.UINT32, null, -1, kvHeads));
        }
        return new GgufFile(3, m, List.of(), 32, 0);
    }

    @Test
    void theSizeIsKeysAndValuesInF16ForEveryLayerAndTokenAndTheMask() {
        // Llama-3.1-8B's published shape (Meta's model card: 32 layers, 4096 wide, 32 heads, 8 KV heads):
        // 2 * 2 bytes * 4096 * 8 / 32 * 32 layers = 131,072 bytes a token, 128 KiB; the mask 2 * 512 bytes
        assertEquals((131_072L + 1024) * 1000, KvCache.of(llama(32, 4096, 32, 8L), 1000, 512).bytes());
        // without head_count_kv every head has its own keys and values
        assertEquals((4L * 64 * 2 + 2 * 64) * 10, KvCache.of(llama(2, 64, 4, null), 10, 64).bytes());
        // no dimensions: not known, and never called too large
        KvCache unknown = KvCache.of(new GgufFile(3, Map.of(), List.of(), 32, 0), 1000, 512);
        assertEquals(-1, unknown.bytes());
        assertNull(unknown.tooLarge(4, 256, 1));
    }

    @Test
    void aCacheBeyondTheFreeMemoryIsOneLineNamingTheBatchAndWhatToLower() {
        KvCache cache = KvCache.of(llama(32, 4096, 32, 8L), 2L * 100_000 * 192, 192);
        String m = cache.tooLarge(100_000, 192, 16L << 30);
        // (131,072 + 384) bytes a token, 38.4 million tokens
        assertTrue(m.startsWith("the embedded engine would need at least 4701.2 GiB of key-value cache for batch=100000"), m);
        assertTrue(m.contains("more than the 16.0 GiB this machine has free: lower batch"), m);
        assertEquals(1, m.lines().count());
        assertNull(KvCache.of(llama(32, 4096, 32, 8L), 2L * 4 * 192, 192).tooLarge(4, 192, 16L << 30));
        assertNull(cache.tooLarge(100_000, 192, -1), "free memory not known: llama.cpp is left to try");
    }

    @Test
    void theFreeMemoryIsMemAvailable(@TempDir Path dir) throws IOException {
        Path meminfo = Files.writeString(dir.resolve("meminfo"),
                "MemTotal:       24000000 kB\nMemFree:         1000 kB\nMemAvailable:   2000000 kB\n");
        assertEquals(2_000_000L * 1024, KvCache.available(meminfo));
        assertEquals(-1, KvCache.available(dir.resolve("absent")));
    }

    @Test
    void theEmbeddedEngineRefusesABatchNoMachineHoldsBeforeLoadingAnything() {
        // the refusal's own words, not llama.cpp's load failure: it came before llama.cpp was asked
        // 5 million slots of 256 tokens: 2.56 billion tokens of context, beyond memory and llama.cpp's int
        EngineException e = assertThrows(EngineException.class, () -> Engines.open(
                new EngineRequest("embedded", "synthetic:llama-tiny", "f16", 5_000_000, 256, null)).close());
        assertTrue(e.getMessage().contains("for batch=5000000") && e.getMessage().contains("lower batch"), e.getMessage());
    }
}
