package org.tokenpowerbench.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

/** The serving configuration a trial belongs to, which the regression cross-check fits on its own. */
class SpecGroupTest {

    @Test
    void aGroupIsATrialWithoutItsPromptCountAndLengths() {
        BenchmarkSpec a = new BenchmarkSpec("S", "m", "q", 8, 32, 16, 64, 1, "embedded", "completions", "");
        BenchmarkSpec b = new BenchmarkSpec("S", "m", "q", 8, 128, 64, 32, 2, "embedded", "completions", "");
        BenchmarkSpec c = new BenchmarkSpec("S", "m", "q", 32, 128, 64, 32, 2, "embedded", "completions", "");
        assertEquals("model=m quantization=q batch=8 engine=embedded api=completions", a.group());
        assertEquals(a.group(), b.group());
        assertNotEquals(a.group(), c.group());
    }
}
