package org.tokenpowerbench.energy;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.tokenpowerbench.power.PowerChannel;
import org.tokenpowerbench.power.Scope;

/**
 * Scopes nest: a node's reading (its BMC, its IPMI exporter) already includes its GPUs, CPUs and
 * DRAM, and a cluster's includes its nodes. Adding a node's reading to its GPUs' would count the
 * GPUs twice, so a sensor's headline energy is, per node, its outermost measured scope, and what a
 * node spends outside its measured parts is reported as {@code node.other}.
 *
 * <p>A sensor that reads several nodes (Prometheus) names each channel's device
 * {@code <node>/<part>} ({@code gpu-node-1/GPU-1}) and a node channel's device {@code <node>}; a part
 * whose device has no {@code /} belongs to this machine. Within one node: a {@link Scope#CLUSTER} channel wins over everything,
 * {@link Scope#NODE} over {@link Scope#GPU}, {@link Scope#CPU} and {@link Scope#DRAM}, and those
 * three, disjoint, add up.
 */
public final class ScopeNesting {

    private static final Set<Scope> PARTS = EnumSet.of(Scope.GPU, Scope.CPU, Scope.DRAM);

    private ScopeNesting() {
    }

    /**
     * The node a channel belongs to: a node channel's device, a part's device up to the first
     * {@code /}, or {@code ""} (this machine) for a part whose device has none.
     */
    public static String nodeOf(PowerChannel c) {
        if (c.scope() == Scope.NODE) {
            return c.device();
        }
        int slash = c.device().indexOf('/');
        return slash < 0 ? "" : c.device().substring(0, slash);
    }

    /**
     * The channels whose energy adds up to the whole without counting anything twice: any
     * cluster channel's alone where there is one; else, per node, its node channels where it has
     * some, else its parts.
     */
    public static Predicate<PowerChannel> outermost(List<PowerChannel> channels) {
        if (channels.stream().anyMatch(c -> c.scope() == Scope.CLUSTER)) {
            return c -> c.scope() == Scope.CLUSTER;
        }
        Map<String, Boolean> nodeMeasured = new HashMap<>();
        for (PowerChannel c : channels) {
            nodeMeasured.merge(nodeOf(c), c.scope() == Scope.NODE, Boolean::logicalOr);
        }
        return c -> nodeMeasured.getOrDefault(nodeOf(c), false) ? c.scope() == Scope.NODE : PARTS.contains(c.scope());
    }

    /** Whether some channel lies inside another's scope, so that not all of them add up. */
    public static boolean nests(List<PowerChannel> channels) {
        Predicate<PowerChannel> whole = outermost(channels);
        return !channels.stream().allMatch(whole);
    }

    /**
     * {@code node − gpu − cpu − dram}: what the nodes spent outside their measured parts (fans,
     * memory not on RAPL, NICs, disks, power-supply losses); NaN unless the node and at least one
     * part were measured. Negative beyond noise means the node reading covers less than its parts
     * (other nodes, or a BMC average that lags the wave).
     */
    public static double nodeOther(Map<Scope, Double> byScope) {
        Double node = byScope.get(Scope.NODE);
        if (node == null || PARTS.stream().noneMatch(byScope::containsKey)) {
            return Double.NaN;
        }
        double parts = 0;
        for (Scope s : PARTS) {
            parts += byScope.getOrDefault(s, 0.0);
        }
        return node - parts;
    }
}
