package org.tokenpowerbench.power.nvml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tokenpowerbench.power.nvml.CudaVisibleDevices.MigNotSupportedException;
import org.tokenpowerbench.power.nvml.CudaVisibleDevices.Selection;

class CudaVisibleDevicesTest {

    static final List<String> UUIDS = List.of(
            "GPU-5f3c1a2b-0000-1111-2222-333344445555",
            "GPU-5f3d9e8f-aaaa-bbbb-cccc-ddddeeeeffff",
            "GPU-a1b2c3d4-1234-5678-9abc-def012345678",
            "GPU-ffee0011-2233-4455-6677-8899aabbccdd");

    private static List<Integer> select(String v) {
        return CudaVisibleDevices.select(v, UUIDS).nvmlIndices();
    }

    @Test
    void unsetMeansEveryGpuInNvmlOrder() {
        Selection s = CudaVisibleDevices.select(null, UUIDS);
        assertEquals(List.of(0, 1, 2, 3), s.nvmlIndices());
        assertNull(s.variable());
        assertNull(s.ignored());
    }

    @Test
    void emptyOrBlankMeansNoGpu() {
        assertEquals(List.of(), select(""));
        assertEquals(List.of(), select("   "));
        assertNull(CudaVisibleDevices.select("", UUIDS).ignored());
    }

    @Test
    void indicesSelectAndReorder() {
        assertEquals(List.of(2), select("2"));
        assertEquals(List.of(3, 0), select("3,0"));
        assertEquals(List.of(1, 2), select(" 1 , 2 "));
        assertEquals(List.of(0), select("00"));
    }

    @Test
    void fullUuidsAndUniquePrefixesSelect() {
        assertEquals(List.of(2), select("GPU-a1b2c3d4-1234-5678-9abc-def012345678"));
        assertEquals(List.of(3, 1), select("GPU-ffee,GPU-5f3d"));
        assertEquals(List.of(2), select("gpu-A1B2"), "letters compare without case");
    }

    @Test
    void indicesAndUuidsMix() {
        assertEquals(List.of(1, 3), select("1,GPU-ffee0011"));
    }

    @Test
    void anAmbiguousPrefixStopsReading() {
        Selection s = CudaVisibleDevices.select("2,GPU-5f3,0", UUIDS);
        assertEquals(List.of(2), s.nvmlIndices());
        assertTrue(s.ignored().contains("entry 2 'GPU-5f3'"), s.ignored());
        assertTrue(s.ignored().contains("matches 2 GPUs"), s.ignored());
    }

    @Test
    void anUnknownUuidStopsReading() {
        Selection s = CudaVisibleDevices.select("GPU-0000,1", UUIDS);
        assertEquals(List.of(), s.nvmlIndices());
        assertTrue(s.ignored().contains("matches no GPU"), s.ignored());
    }

    @Test
    void readingStopsAtTheFirstInvalidEntryAsCudaDoes() {
        assertEquals(List.of(0, 1), select("0,1,-1,2"));
        assertEquals(List.of(), select("-1"));
        assertEquals(List.of(1), select("1,x,2"));
        assertEquals(List.of(1), select("1,,2"), "an empty entry is invalid");
        assertEquals(List.of(0), select("0,1a"));
        assertEquals(List.of(), select("1.0"));
        assertEquals(List.of(), select("+1"));
    }

    @Test
    void anOutOfRangeIndexStopsReading() {
        Selection s = CudaVisibleDevices.select("3,4,0", UUIDS);
        assertEquals(List.of(3), s.nvmlIndices());
        assertTrue(s.ignored().startsWith("entry 2 '4' is out of range: 4 GPUs installed"), s.ignored());
        assertEquals(List.of(), select("99999999999999999999"));
    }

    @Test
    void aRepeatedGpuStopsReading() {
        assertEquals(List.of(0), select("0,0,1"));
        Selection s = CudaVisibleDevices.select("2,GPU-a1b2,1", UUIDS);
        assertEquals(List.of(2), s.nvmlIndices());
        assertTrue(s.ignored().contains("repeats"), s.ignored());
    }

    @Test
    void aTrailingCommaEndsWithAnIgnoredEmptyEntry() {
        Selection s = CudaVisibleDevices.select("0,1,", UUIDS);
        assertEquals(List.of(0, 1), s.nvmlIndices());
        assertNotNull(s.ignored());
    }

    @Test
    void migEntriesAreRefusedWithAClearMessage() {
        MigNotSupportedException e = assertThrows(MigNotSupportedException.class,
                () -> select("MIG-4c7d8e9f-aaaa-bbbb-cccc-000011112222"));
        assertTrue(e.getMessage().contains("MIG instance 'MIG-4c7d8e9f-aaaa-bbbb-cccc-000011112222'"), e.getMessage());
        assertTrue(e.getMessage().contains("whole physical GPU"), e.getMessage());
        assertThrows(MigNotSupportedException.class, () -> select("0,MIG-GPU-5f3c1a2b/1/0"));
    }

    @Test
    void aMigEntryAfterTheStopIsNeverReached() {
        assertEquals(List.of(0), select("0,nope,MIG-1234"));
    }

    @Test
    void noGpuInstalled() {
        assertEquals(List.of(), CudaVisibleDevices.select(null, List.of()).nvmlIndices());
        assertEquals(List.of(), CudaVisibleDevices.select("0", List.of()).nvmlIndices());
    }

    @Test
    void orderWarningOnlyForMixedModelsChosenByIndex() {
        List<String> mixed = List.of("NVIDIA H100", "NVIDIA L4");
        List<String> same = List.of("NVIDIA H200", "NVIDIA H200");
        List<String> uuids = UUIDS.subList(0, 2);
        assertNotNull(CudaVisibleDevices.select(null, uuids).orderWarning(mixed, null));
        assertNotNull(CudaVisibleDevices.select("1,0", uuids).orderWarning(mixed, "FASTEST_FIRST"));
        assertNull(CudaVisibleDevices.select("1,0", uuids).orderWarning(mixed, "PCI_BUS_ID"));
        assertNull(CudaVisibleDevices.select("GPU-5f3d,GPU-5f3c", uuids).orderWarning(mixed, null));
        assertNull(CudaVisibleDevices.select(null, uuids).orderWarning(same, null));
    }
}
