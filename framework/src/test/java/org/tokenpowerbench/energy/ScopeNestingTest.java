package org.tokenpowerbench.energy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.tokenpowerbench.power.Method;
import org.tokenpowerbench.power.PowerChannel;
import org.tokenpowerbench.power.Scope;

/** Which channels make up the whole, per node, so that a node's reading and its GPUs are never added. */
class ScopeNestingTest {

    private static PowerChannel ch(String name, String device, Scope scope) {
        return new PowerChannel(name, device, scope, Method.COUNTER, PowerChannel.Kind.ENERGY_JOULES);
    }

    private static List<String> whole(List<PowerChannel> channels) {
        Predicate<PowerChannel> p = ScopeNesting.outermost(channels);
        return channels.stream().filter(p).map(PowerChannel::name).collect(Collectors.toList());
    }

    @Test
    void aNodeReadingReplacesItsOwnPartsButNotAnotherNodes() {
        List<PowerChannel> channels = List.of(
                ch("ipmi-a", "a:9290", Scope.NODE), ch("gpu-a", "a:9400/GPU-1", Scope.GPU),
                ch("cpu-a", "a:9100/package-0", Scope.CPU),
                ch("gpu-b", "b:9400/GPU-2", Scope.GPU), ch("dram-b", "b:9100/dram-0", Scope.DRAM));
        // node a's reading and a's parts have different ports: a node is what precedes the slash
        assertEquals(List.of("ipmi-a", "gpu-a", "cpu-a", "gpu-b", "dram-b"), whole(channels),
                "a:9290, a:9400 and a:9100 are three nodes to us: the instance label is the node");
        List<PowerChannel> sameInstance = List.of(
                ch("ipmi-a", "a", Scope.NODE), ch("gpu-a", "a/GPU-1", Scope.GPU), ch("cpu-a", "a/package-0", Scope.CPU),
                ch("gpu-b", "b/GPU-2", Scope.GPU), ch("dram-b", "b/dram-0", Scope.DRAM));
        assertEquals(List.of("ipmi-a", "gpu-b", "dram-b"), whole(sameInstance));
        assertTrue(ScopeNesting.nests(sameInstance));
    }

    @Test
    void partsAloneAddUpAndAClusterReadingIsTheWhole() {
        List<PowerChannel> local = List.of(ch("package-0", "intel-rapl:0", Scope.CPU),
                ch("dram-0", "intel-rapl:0:0", Scope.DRAM), ch("gpu0", "GPU-1", Scope.GPU));
        assertEquals(List.of("package-0", "dram-0", "gpu0"), whole(local));
        assertFalse(ScopeNesting.nests(local));
        List<PowerChannel> withPdu = List.of(ch("pdu", "rack-1", Scope.CLUSTER), ch("ipmi-a", "a", Scope.NODE),
                ch("gpu-a", "a/GPU-1", Scope.GPU));
        assertEquals(List.of("pdu"), whole(withPdu));
    }

    @Test
    void nodeOtherIsTheNodeLessItsMeasuredParts() {
        assertEquals(250.0, ScopeNesting.nodeOther(Map.of(Scope.NODE, 1000.0, Scope.GPU, 600.0, Scope.CPU, 100.0,
                Scope.DRAM, 50.0)), 1e-12);
        assertTrue(Double.isNaN(ScopeNesting.nodeOther(Map.of(Scope.GPU, 600.0))), "no node reading");
        assertTrue(Double.isNaN(ScopeNesting.nodeOther(Map.of(Scope.NODE, 600.0))), "no part measured");
    }
}
