package org.tokenpowerbench.axes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AxisTest {

    /** A value each axis's rule must refuse, as the user would write it after {@code -p name=}. */
    private static final Map<Axis, String> BAD = new EnumMap<>(Map.ofEntries(
            Map.entry(Axis.MODEL, " "),
            Map.entry(Axis.QUANTIZATION, ""),
            Map.entry(Axis.BATCH, "0"),
            Map.entry(Axis.TENSOR_PARALLEL, "0"),
            Map.entry(Axis.PIPELINE_PARALLEL, "-1"),
            Map.entry(Axis.DATA_PARALLEL, "0"),
            Map.entry(Axis.DATASET, "  "),
            Map.entry(Axis.CONTEXT_LENGTH, "0"),
            Map.entry(Axis.INPUT_TOKENS, "-1"),
            Map.entry(Axis.OUTPUT_TOKENS, "0"),
            Map.entry(Axis.PROMPTS, "0"),
            Map.entry(Axis.ENGINE, "//host:8000"),
            Map.entry(Axis.API, "grpc"),
            Map.entry(Axis.INPUT_LENGTHS, "zipf"),
            Map.entry(Axis.OUTPUT_LENGTHS, "uniform:1"),
            Map.entry(Axis.WAVE_SECONDS, "86401"),
            Map.entry(Axis.REQUEST_FIELDS, "temperature"),
            Map.entry(Axis.RATE, "-2"),
            Map.entry(Axis.ARRIVALS, "uniform"),
            Map.entry(Axis.BURSTINESS, "0"),
            Map.entry(Axis.MAX_CONCURRENCY, "-1"),
            Map.entry(Axis.WARMUP_REQUESTS, "-3"),
            Map.entry(Axis.API_KEY_ENV, "sk-abc123"),
            Map.entry(Axis.DATASET_MAX_TOKENS, "1"),
            Map.entry(Axis.SLO_TTFT_MS, "-5"),
            Map.entry(Axis.SLO_TPOT_MS, "NaN"),
            Map.entry(Axis.SLO_E2E_MS, "Infinity")));

    @Test
    void everyCheckNamesTheValueAndTheOptionThatSetsIt() {
        for (Axis a : Axis.values()) {
            if (a.rule() == Rule.ANY) {
                continue;
            }
            String bad = BAD.get(a);
            assertTrue(bad != null, "no bad value to try for " + a);
            Object value = a.type().parse(bad);
            String m = a.complaint(value);
            assertTrue(m != null, a + " allows " + bad);
            assertTrue(m.startsWith(a.paramName() + "=" + value + " " + a.rule().what() + ": "), m);
            assertTrue(m.endsWith(" (-p " + a.paramName() + "=...)"), m);
            assertEquals(1, m.lines().count(), m);
            assertEquals(m, a.complaintAboutText(bad), "the same words for the -p text");
        }
    }

    @Test
    void theWordsOfTheCountsAreTheTrialsOwn() {
        assertEquals("batch=0 is not allowed: it must be at least 1 (-p batch=...)", Axis.BATCH.complaint(0));
        assertEquals("batch=two is not a whole number: it must be at least 1 (-p batch=...)",
                Axis.BATCH.complaintAboutText("two"));
        assertEquals("batch=99999999999 is too large (the most is 2147483647): it must be at least 1 (-p batch=...)",
                Axis.BATCH.complaintAboutText("99999999999"));
        assertEquals("rate=fast is not a number: give requests per second > 0, or 0 for a closed loop (-p rate=...)",
                Axis.RATE.complaintAboutText("fast"));
        assertEquals("maxConcurrency=-1 is not allowed: give the most requests in flight at once, or 0 for no bound"
                + " (-p maxConcurrency=...)", Axis.MAX_CONCURRENCY.complaint(-1));
    }

    @Test
    void aNameOrPathWithABlankAtItsEdgeIsNamedSoBeforeAnythingLooksForIt() {
        // -p model=a, b gives " b"; it used to fail later as a model file ' b' that "does not exist"
        assertEquals("model= synthetic:llama-3.2-1b begins or ends with a blank (' synthetic:llama-3.2-1b'): remove it"
                + " (-p model=...)", Axis.MODEL.complaintAboutText(" synthetic:llama-3.2-1b"));
        assertEquals("quantization=f16\t begins or ends with a blank ('f16\t'): remove it (-p quantization=...)",
                Axis.QUANTIZATION.complaint("f16\t"));
        assertTrue(Axis.DATASET.complaint("prompts.jsonl ") != null);
        assertEquals(null, Axis.MODEL.complaint("my model.gguf"), "a blank inside a name is the user's own");
        assertEquals("model=  is blank: give a model: a GGUF path, synthetic:NAME or the name a server serves"
                + " (-p model=...)", Axis.MODEL.complaint(" "));
    }

    @Test
    void defaultsHaveTheAxisTypeAndPassTheirOwnRule() {
        for (Axis a : Axis.values()) {
            if (a.presence() == Axis.Presence.DEFAULTED) {
                assertTrue(a.type().holds(a.defaultValue()), a + " default " + a.defaultValue());
                assertNull(a.complaint(a.defaultValue()), a.toString());
            } else {
                assertNull(a.defaultValue(), a + " is " + a.presence() + " and has no default");
            }
        }
        assertEquals(List.of(Axis.MODEL), List.of(Axis.values()).stream()
                .filter(a -> a.presence() == Axis.Presence.REQUIRED).toList(), "only the model has no default");
        assertEquals(1, Axis.BATCH.defaultValue());
        assertEquals(128, Axis.INPUT_TOKENS.defaultValue());
        assertEquals(64, Axis.OUTPUT_TOKENS.defaultValue());
        assertEquals(16, Axis.PROMPTS.defaultValue());
        assertEquals(42L, Axis.SEED.defaultValue());
        assertEquals("embedded", Axis.ENGINE.defaultValue());
        assertEquals(0.0, Axis.RATE.defaultValue(), "closed loop unless @Workload says otherwise");
    }

    @Test
    void namesAreUniqueAndFoundByName() {
        Set<String> seen = new HashSet<>();
        for (Axis a : Axis.values()) {
            assertTrue(seen.add(a.paramName()), a.paramName());
            assertEquals(a, Axis.named(a.paramName()));
        }
        assertNull(Axis.named("slots"), "slots are derived, not an axis");
        assertEquals(Axis.values().length, Axis.names().size());
    }

    @Test
    void onlyPromptCountAndLengthsShareAGroup() {
        Set<Axis> apart = new HashSet<>();
        for (Axis a : Axis.values()) {
            if (!a.groups()) {
                apart.add(a);
            }
        }
        assertEquals(Set.of(Axis.DATASET, Axis.CONTEXT_LENGTH, Axis.INPUT_TOKENS, Axis.OUTPUT_TOKENS, Axis.PROMPTS,
                Axis.SEED, Axis.API_KEY_ENV, Axis.DATASET_MAX_TOKENS, Axis.SLO_TTFT_MS, Axis.SLO_TPOT_MS,
                Axis.SLO_E2E_MS), apart, "the constants are never described, so they group nothing either");
    }

    @Test
    void paramTextDropsTheFractionOfAWholeDouble() {
        assertEquals("2", ValueType.text(2.0));
        assertEquals("0.25", ValueType.text(0.25));
        assertEquals("8", ValueType.text(8));
        assertEquals("a b", ValueType.text("a b"));
    }

    @Test
    void lengthRuleReadsWhatTheFrameworkReads() {
        for (String ok : List.of("fixed", "", " Uniform:0.5 ", "uniform:.25", "normal:0.2", "normal:0.25:16:256")) {
            assertTrue(Axis.INPUT_LENGTHS.rule().allows(ok), ok);
        }
        for (String bad : List.of("uniform:0", "uniform:1", "normal:0", "normal:0.2:0:5", "normal:0.2:9:5", "gauss:1",
                "normal:0.2:5")) {
            assertTrue(!Axis.INPUT_LENGTHS.rule().allows(bad), bad);
        }
    }
}
