package org.tokenpowerbench.power.nvml;

import static org.junit.jupiter.api.Assertions.assertFalse;

import com.sun.jna.NativeLibrary;
import org.junit.jupiter.api.Test;

class NvmlHotCallsTest {

    /**
     * A library without NVML's symbols (here the C library, which every test machine has) must
     * leave the calls unbound, not throw: a driver too old for one of the direct calls keeps to
     * JNA's interface mapping. (The direct calls themselves are checked against a real driver by
     * tools/nvml-crosscheck, which needs a GPU.)
     */
    @Test
    void aLibraryWithoutTheSymbolsLeavesTheInterfaceMappingInUse() {
        assertFalse(NvmlHotCalls.bind(NativeLibrary.getInstance("c")));
        assertFalse(NvmlHotCalls.bind(NativeLibrary.getInstance("c")), "the answer holds for the JVM's lifetime");
    }
}
