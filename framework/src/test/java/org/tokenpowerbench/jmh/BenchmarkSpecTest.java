package org.tokenpowerbench.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.tokenpowerbench.UserError;

class BenchmarkSpecTest {

    private static BenchmarkSpec.Builder point() {
        return BenchmarkSpec.builder("demo.Bench").set("model", "m");
    }

    @Test
    void theGroupKeyIgnoresPromptCountAndLengthsOnly() {
        BenchmarkSpec a = point().set("batch", 8).set("inputTokens", 32).set("outputTokens", 16).set("prompts", 64).build();
        BenchmarkSpec b = point().set("batch", 8).set("inputTokens", 512).set("outputTokens", 4).set("prompts", 2).build();
        BenchmarkSpec c = point().set("batch", 16).set("inputTokens", 32).set("outputTokens", 16).set("prompts", 64).build();
        assertEquals("model=m quantization=f16 batch=8 engine=embedded api=completions", a.group());
        assertEquals(a.group(), b.group());
        assertNotEquals(a.group(), c.group(), "batch separates groups");
        BenchmarkSpec d = point().set("batch", 8).set("dataset", "a.jsonl").set("prompts", 3).build();
        BenchmarkSpec e = point().set("batch", 8).set("contextLength", 4096).build();
        assertEquals(a.group(), d.group(), "a dataset is a prompt set");
        assertEquals(a.group(), e.group(), "a context length is a prompt length");
        BenchmarkSpec open = point().set("batch", 8).set("rate", 2.0).build();
        assertNotEquals(a.group(), open.group(), "the rate separates groups");
    }

    @Test
    void theDescriptionIsTheTrialNameAsBefore() {
        // the text of the positional record's describe() for the same values: resume compares it
        BenchmarkSpec open = point().set("batch", 2).set("inputTokens", 24).set("outputTokens", 6).set("prompts", 4)
                .set("engine", "http://h:8000").set("api", "chat").set("inputLengths", "uniform:0.5")
                .set("waveSeconds", 1.5).set("requestFields", " temperature=0 ").set("rate", 4.0).set("arrivals", "gamma")
                .set("burstiness", 0.5).set("maxConcurrency", 3).set("warmupRequests", 1).set("seed", 7L)
                .set("apiKeyEnv", "KEY").build();
        assertEquals("model=m quantization=f16 batch=2 inputTokens=24 outputTokens=6 prompts=4 engine=http://h:8000 "
                + "api=chat inputLengths=uniform:0.5 waveSeconds=1.5 requestFields=temperature=0 rate=4 arrivals=gamma "
                + "burstiness=0.5 maxConcurrency=3 warmupRequests=1", open.describe());
        assertEquals("model=m quantization=f16 batch=2 engine=http://h:8000 api=chat inputLengths=uniform:0.5 "
                + "waveSeconds=1.5 requestFields=temperature=0 rate=4 arrivals=gamma burstiness=0.5 maxConcurrency=3 "
                + "warmupRequests=1", open.group());
        BenchmarkSpec closedWithShape = point().set("rate", 0.0).set("arrivals", "gamma").set("burstiness", 0.5).build();
        assertEquals("model=m quantization=f16 batch=1 inputTokens=128 outputTokens=64 prompts=16 engine=embedded "
                + "api=completions", closedWithShape.describe(), "a closed loop shows no arrival shape");
    }

    /**
     * The parallelism axes: size 1 (their default, and every trial of a class without
     * {@code @Parallelism}) leaves the description and so the resume key as it was; another size
     * is shown after the quantization and separates result groups.
     */
    @Test
    void parallelSizesShowOnlyWhenNotOne() {
        BenchmarkSpec plain = point().set("batch", 2).build();
        BenchmarkSpec ones = point().set("tensorParallel", 1).set("pipelineParallel", 1).set("dataParallel", 1)
                .set("batch", 2).build();
        assertEquals("model=m quantization=f16 batch=2 inputTokens=128 outputTokens=64 prompts=16 engine=embedded "
                + "api=completions", ones.describe());
        assertEquals(plain.describe(), ones.describe());
        assertEquals(plain.group(), ones.group());
        BenchmarkSpec tp = point().set("tensorParallel", 4).set("dataParallel", 2).set("batch", 2).build();
        assertEquals("model=m quantization=f16 tensorParallel=4 dataParallel=2 batch=2 inputTokens=128 outputTokens=64"
                + " prompts=16 engine=embedded api=completions", tp.describe());
        assertNotEquals(plain.group(), tp.group());
        assertEquals(4, tp.tensorParallel());
        assertEquals(1, tp.pipelineParallel());
        assertEquals(2, tp.dataParallel());
        UserError e = assertThrows(UserError.class, () -> point().set("pipelineParallel", 0).build().check());
        assertEquals("pipelineParallel=0 is not a parallel size: give 1 or more (1: no parallelism on this axis)"
                + " (-p pipelineParallel=...)", e.getMessage());
    }

    @Test
    void slotsAreBatchInClosedLoopAndAtLeastMaxConcurrencyInOpenLoop() {
        assertEquals(4, point().set("batch", 4).set("maxConcurrency", 9).build().slots(), "closed loop ignores the bound");
        assertEquals(9, point().set("batch", 4).set("rate", 1.0).set("maxConcurrency", 9).build().slots());
        assertEquals(4, point().set("batch", 4).set("rate", 1.0).build().slots());
    }

    @Test
    void anUnknownNameIsABugAndFailsLoudly() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> point().set("slots", 4));
        assertTrue(e.getMessage().contains("'slots'") && e.getMessage().contains("batch"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> point().set("rate", 2));
        assertTrue(e.getMessage().contains("'rate' takes double, not Integer 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> point().set("model", "again"));
        assertTrue(e.getMessage().contains("'model' is set twice"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BenchmarkSpec.builder("x.Y").set("batch", 1).build());
        assertTrue(e.getMessage().contains("'model' has no default"), e.getMessage());
    }

    @Test
    void theCheckIsTheTablesAndSaysWhatToDo() {
        UserError e = assertThrows(UserError.class, () -> point().set("batch", 0).build().check());
        assertEquals("batch=0 is not allowed: it must be at least 1 (-p batch=...)", e.getMessage());
        e = assertThrows(UserError.class, () -> point().set("waveSeconds", -1.0).build().check());
        assertTrue(e.getMessage().startsWith("waveSeconds=-1.0 is not a wave length"), e.getMessage());
        e = assertThrows(UserError.class, () -> point().set("rate", 2.0).set("burstiness", 0.5).build().check());
        assertTrue(e.getMessage().startsWith("burstiness=0.5 needs arrivals=gamma"), e.getMessage());
        point().set("rate", 0.0).set("burstiness", 0.5).build().check(); // closed loop: the shape does not matter
    }
}
