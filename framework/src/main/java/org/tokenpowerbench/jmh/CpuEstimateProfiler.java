package org.tokenpowerbench.jmh;

import org.openjdk.jmh.profile.ProfilerException;

/**
 * {@code -prof cpu}: an ESTIMATE of the embedded engine's CPU energy, from this process's CPU
 * seconds times a watts-per-core figure. Every result it gives says {@code estimated}. Meaningful
 * only for the embedded engine, which runs inside the benchmark's process; the figure includes
 * the harness's own CPU time. Options: {@code period=10ms}, {@code wattsPerCore=...},
 * {@code idleWatts=...}.
 */
public class CpuEstimateProfiler extends PowerProfiler {
    public CpuEstimateProfiler(String initLine) throws ProfilerException {
        super("cpu", initLine);
    }

    public CpuEstimateProfiler() throws ProfilerException {
        this("");
    }
}
