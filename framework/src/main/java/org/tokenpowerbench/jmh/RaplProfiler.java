package org.tokenpowerbench.jmh;

import org.openjdk.jmh.profile.ProfilerException;

/**
 * {@code -prof rapl}: CPU package and DRAM energy from RAPL counters (Linux powercap), measured.
 * Options: {@code period=10ms}, {@code root=/sys/class/powercap}.
 */
public class RaplProfiler extends PowerProfiler {
    public RaplProfiler(String initLine) throws ProfilerException {
        super("rapl", initLine);
    }

    public RaplProfiler() throws ProfilerException {
        this("");
    }
}
