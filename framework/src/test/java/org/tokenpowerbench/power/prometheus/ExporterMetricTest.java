package org.tokenpowerbench.power.prometheus;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tokenpowerbench.energy.ScopeNesting;
import org.tokenpowerbench.power.PowerChannel;

/** Series labels to devices: one host's exporters (on their own ports) are one node, so scopes nest per node. */
class ExporterMetricTest {

    private static final ExporterMetric DCGM = ExporterMetric.defaults("dcgm", "").get(0);
    private static final ExporterMetric RAPL = ExporterMetric.defaults("node", "").get(0);
    private static final ExporterMetric IPMI = ExporterMetric.defaults("ipmi", "").get(0);

    @Test
    void theHostOfTheInstanceNamesTheNode() {
        assertEquals("gpu-node-1/GPU-abc", DCGM.device(Map.of("instance", "gpu-node-1:9400", "gpu", "0",
                "UUID", "GPU-abc"), "host"));
        assertEquals("gpu-node-1/gpu3", DCGM.device(Map.of("instance", "gpu-node-1:9400", "gpu", "3"), "host"));
        assertEquals("gpu-node-1/package-1", RAPL.device(Map.of("instance", "gpu-node-1:9100", "index", "1"), "host"));
        assertEquals("gpu-node-1", IPMI.device(Map.of("instance", "gpu-node-1:9290"), "host"));
        assertEquals("[::1]", IPMI.device(Map.of("instance", "[::1]:9290"), "host"));
        assertEquals("gpu-node-1", IPMI.device(Map.of("instance", "gpu-node-1"), "host"));
        assertEquals("gpu-node-1:9290", IPMI.device(Map.of("instance", "gpu-node-1:9290"), "instance"));
        assertEquals("n7/GPU-abc", DCGM.device(Map.of("instance", "10.0.0.7:9400", "Hostname", "n7",
                "UUID", "GPU-abc"), "Hostname"));
    }

    @Test
    void soAHostsIpmiReadingHoldsItsGpuAndCpu() {
        List<PowerChannel> channels = List.of(
                channel(IPMI, Map.of("instance", "a:9290")),
                channel(DCGM, Map.of("instance", "a:9400", "UUID", "GPU-1")),
                channel(RAPL, Map.of("instance", "a:9100", "index", "0")),
                channel(DCGM, Map.of("instance", "b:9400", "UUID", "GPU-2")));
        assertEquals(List.of("ipmi.power", "dcgm.energy"), channels.stream()
                .filter(ScopeNesting.outermost(channels)).map(c -> c.name()).toList());
    }

    private static PowerChannel channel(ExporterMetric m, Map<String, String> labels) {
        return new PowerChannel(m.name(), m.device(labels, "host"), m.scope(), m.method(), m.kind());
    }
}
