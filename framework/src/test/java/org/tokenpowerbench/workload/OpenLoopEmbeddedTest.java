package org.tokenpowerbench.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tokenpowerbench.client.Api;
import org.tokenpowerbench.client.RequestTimeline;
import org.tokenpowerbench.client.StreamingClient;
import org.tokenpowerbench.client.TokenCountSource;
import org.tokenpowerbench.engine.EngineRequest;
import org.tokenpowerbench.engine.Engines;
import org.tokenpowerbench.engine.RunningEngine;

/**
 * An open-loop wave against the real embedded llama.cpp engine, kept short: on the synthetic model
 * and on the shared third-party GGUF, over both routes.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class OpenLoopEmbeddedTest {

    @ParameterizedTest
    @CsvSource({"synthetic,COMPLETIONS", "synthetic,CHAT", "shared,COMPLETIONS", "shared,CHAT"})
    void openLoopWaveOnTheEmbeddedEngine(String which, Api api) {
        String model = which.equals("synthetic") ? "synthetic:llama-tiny"
                : org.tokenpowerbench.engine.EmbeddedEngineTestAccess.sharedFixture().toString();
        int slots = 2;
        int inputTokens = 24;
        int outputTokens = 6;
        ArrivalProcess arrivals = ArrivalProcess.of(20, "gamma", 0.5);
        try (RunningEngine engine = Engines.open(new EngineRequest("embedded", model, "f16", slots,
                inputTokens + outputTokens + 64, null));
             StreamingClient client = new StreamingClient(engine.endpoint(), api, slots, Duration.ofSeconds(60))) {
            PromptSource.Loaded prompts = new PromptSource("", 4, 1, inputTokens, "inputTokens", 2048, 11)
                    .load(engine.endpoint().tokenizer(), outputTokens);
            try (OpenLoopDriver driver = new OpenLoopDriver(client, arrivals, slots, prompts.warmup(), 11)) {
                WaveRecord wave = driver.run(prompts.measured(), outputTokens);
                long[] schedule = OpenLoopDriver.schedule(arrivals, 11, 0, 5);
                assertEquals(4, wave.requests().size());
                assertEquals(slots, wave.concurrency());
                assertEquals(1, driver.lastWarmup().size());
                assertTrue(driver.lastWarmup().get(0).succeeded(), driver.lastWarmup().get(0).error());
                for (int i = 0; i < 4; i++) {
                    RequestTimeline r = wave.requests().get(i);
                    assertTrue(r.succeeded(), () -> r.errorClass() + ": " + r.error());
                    assertEquals(TokenCountSource.SERVER_USAGE, r.tokenSource());
                    if (api == Api.COMPLETIONS) {
                        assertEquals(inputTokens, r.promptTokens(), "exact prompt length, as the server counts it");
                    } else {
                        // the chat template wraps the same text in role markers
                        assertTrue(r.promptTokens() > inputTokens, "chat prompt tokens " + r.promptTokens());
                    }
                    assertEquals(outputTokens, r.outputTokens());
                    assertEquals(schedule[1 + i] - schedule[1], r.queuedNanos() - wave.startNanos(), "due on schedule");
                    assertTrue(r.queueMillis() >= 0 && r.ttftMillis() > 0 && r.e2eMillis() >= r.ttftMillis());
                    assertTrue(r.doneNanos() <= wave.endNanos());
                }
                assertEquals(wave.startNanos(), wave.requests().get(0).queuedNanos(), "window opens at the first measured due");
                assertTrue(wave.outputTokens() == 4L * outputTokens);
            }
        }
    }
}
