package org.tokenpowerbench.jmh;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tokenpowerbench.UserError;
import org.tokenpowerbench.client.DescriptorBudget;

/**
 * The session checks the streams a wave may hold in flight against the open-file limit before
 * the engine starts: closed loop {@code batch} (no more than the prompts of a one-pass wave), open
 * loop {@code maxConcurrency}, or every request of a one-pass wave with no bound.
 */
class DescriptorCheckTest {

    @TempDir
    Path dir;
    private String oldRunDir;

    @BeforeEach
    void runFolder() {
        oldRunDir = System.getProperty("tpb.runDir");
        System.setProperty("tpb.runDir", dir.resolve("run").toString());
    }

    @AfterEach
    void restore() {
        if (oldRunDir == null) {
            System.clearProperty("tpb.runDir");
        } else {
            System.setProperty("tpb.runDir", oldRunDir);
        }
    }

    private static BenchmarkSpec.Builder spec(String engine) {
        return BenchmarkSpec.builder("demo.Fd").set("model", "m").set("engine", engine).set("inputTokens", 8)
                .set("outputTokens", 2);
    }

    private static final DescriptorBudget TIGHT = new DescriptorBudget(1000, 72);

    @Test
    void closedLoopCountsBatchAndAnEmbeddedEngineTwice() {
        BenchmarkSpec remote = spec("http://127.0.0.1:9").set("batch", 800).set("prompts", 800).build();
        assertDoesNotThrow(() -> InferenceSession.checkDescriptors(remote, TIGHT));
        BenchmarkSpec embedded = spec("embedded").set("batch", 800).set("prompts", 800).build();
        UserError e = assertThrows(UserError.class, () -> InferenceSession.checkDescriptors(embedded, TIGHT));
        assertTrue(e.getMessage().startsWith("batch=800 needs about 1,800 open files (800 streams x 2 sockets"),
                e.getMessage());
    }

    @Test
    void aOnePassWaveNeverHoldsMoreStreamsThanPrompts() {
        BenchmarkSpec few = spec("http://127.0.0.1:9").set("batch", 5000).set("prompts", 10).build();
        assertDoesNotThrow(() -> InferenceSession.checkDescriptors(few, TIGHT));
        BenchmarkSpec timed = spec("http://127.0.0.1:9").set("batch", 5000).set("prompts", 10).set("waveSeconds", 5.0)
                .build();
        assertThrows(UserError.class, () -> InferenceSession.checkDescriptors(timed, TIGHT),
                "a timed wave keeps every worker sending");
    }

    @Test
    void openLoopCountsItsBoundOrEveryRequest() {
        BenchmarkSpec bounded = spec("http://127.0.0.1:9").set("rate", 100.0).set("maxConcurrency", 2000)
                .set("prompts", 5000).build();
        UserError e = assertThrows(UserError.class, () -> InferenceSession.checkDescriptors(bounded, TIGHT));
        assertTrue(e.getMessage().startsWith("maxConcurrency=2000 needs"), e.getMessage());
        assertTrue(e.getMessage().endsWith("or lower maxConcurrency"), e.getMessage());
        BenchmarkSpec unbounded = spec("http://127.0.0.1:9").set("rate", 100.0).set("prompts", 5000).build();
        e = assertThrows(UserError.class, () -> InferenceSession.checkDescriptors(unbounded, TIGHT));
        assertTrue(e.getMessage().startsWith("prompts=5000 needs about 5,200 open files"), e.getMessage());
    }

    @Test
    void theTrialFailsWithTheLineBeforeTheEngineIsReached() {
        long limit = DescriptorBudget.ofThisProcess().limit();
        int batch = (int) Math.min(Integer.MAX_VALUE, limit + 1);
        // port 9 (discard) is not listened on: reaching it would fail with another line
        BenchmarkSpec spec = spec("http://127.0.0.1:9").set("batch", batch).set("prompts", batch).build();
        BenchmarkFailure e = assertThrows(BenchmarkFailure.class, () -> InferenceSession.open(spec));
        assertTrue(e.getMessage().startsWith("batch=" + batch + " needs about "), e.getMessage());
        assertTrue(e.getMessage().contains("ulimit -n"), e.getMessage());
    }
}
