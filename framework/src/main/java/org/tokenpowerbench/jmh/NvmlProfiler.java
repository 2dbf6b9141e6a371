package org.tokenpowerbench.jmh;

import org.openjdk.jmh.profile.ProfilerException;

/**
 * {@code -prof nvml}: NVIDIA GPU energy, from NVML's energy counter (totals) and instantaneous
 * power (shape), per GPU and summed. Options: {@code period=10ms}, {@code gpus=0,1}.
 * When NVML is absent the run stops before the first trial with one line saying so.
 */
public class NvmlProfiler extends PowerProfiler {
    public NvmlProfiler(String initLine) throws ProfilerException {
        super("nvml", initLine);
    }

    public NvmlProfiler() throws ProfilerException {
        this("");
    }
}
