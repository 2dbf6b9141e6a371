/**
 * An engine's own Prometheus {@code /metrics}, read during every wave: {@link ExpositionParser}
 * (the text exposition format 0.0.4, written here because the maintained Java clients only write
 * it), {@link EngineMetricsScraper} (one thread, stamped on the fork's monotonic clock),
 * {@link ServerFamily} (which series of vLLM, llama.cpp, SGLang and TGI mean what) and
 * {@link ServerWave} (a wave's figures from the engine's counters and gauges). Depends on OkHttp
 * and nothing of ours but {@code UserError}.
 */
package org.tokenpowerbench.prometheus;
