package org.tokenpowerbench.power.prometheus;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.tokenpowerbench.UserError;
import org.tokenpowerbench.power.Method;
import org.tokenpowerbench.power.PowerChannel;
import org.tokenpowerbench.power.Scope;

/**
 * One metric the sensor reads from Prometheus and what it means: the scope it covers, whether it
 * is a counter of energy or a gauge of power, and the factor to joules or watts.
 *
 * <p>The defaults are the names the exporters people already run publish: NVIDIA's DCGM exporter
 * (a GPU's total energy in millijoules, preferred, and its power in watts, which then only shapes
 * the counter's total), node exporter's RAPL collector (package and DRAM joules; its {@code core}
 * and {@code uncore} sub-zones lie inside the package and are not read) and the IPMI exporter's
 * DCMI power reading (the whole node, as its BMC sees it).
 *
 * @param name     the channel's name before the device, e.g. {@code dcgm.energy}
 * @param selector a series selector: a metric name, with the user's label matchers where given
 * @param scope    where in the machine the series measures
 * @param kind     counter of joules or gauge of watts
 * @param factor   multiplies a value into joules or watts (DCGM's millijoules: 0.001)
 * @param deviceBy how a series' labels name its device (see {@link #device})
 */
record ExporterMetric(String name, String selector, Scope scope, PowerChannel.Kind kind, double factor,
                      DeviceLabels deviceBy) {

    /** How a series' labels become a device name; every name starts with the node's {@code instance}. */
    enum DeviceLabels {
        /** {@code instance/UUID} (or {@code instance/gpuN} without a UUID label): the DCGM exporter's. */
        GPU,
        /** {@code instance/package-N} from node exporter's RAPL {@code index} label. */
        PACKAGE,
        /** {@code instance/dram-N}. */
        DRAM,
        /** {@code instance}: a whole node. */
        NODE
    }

    /** The exporters whose metrics the sensor knows by name. */
    static final List<String> EXPORTERS = List.of("dcgm", "node", "ipmi");

    /** The default metrics of one exporter, each selector narrowed by {@code matchers} ({@code {...}} or empty). */
    static List<ExporterMetric> defaults(String exporter, String matchers) {
        return switch (exporter) {
            case "dcgm" -> List.of(
                    new ExporterMetric("dcgm.energy", "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION" + matchers, Scope.GPU,
                            PowerChannel.Kind.ENERGY_JOULES, 1e-3, DeviceLabels.GPU),
                    new ExporterMetric("dcgm.power", "DCGM_FI_DEV_POWER_USAGE" + matchers, Scope.GPU,
                            PowerChannel.Kind.POWER_WATTS, 1, DeviceLabels.GPU));
            case "node" -> List.of(
                    new ExporterMetric("rapl.package", "node_rapl_package_joules_total" + matchers, Scope.CPU,
                            PowerChannel.Kind.ENERGY_JOULES, 1, DeviceLabels.PACKAGE),
                    new ExporterMetric("rapl.dram", "node_rapl_dram_joules_total" + matchers, Scope.DRAM,
                            PowerChannel.Kind.ENERGY_JOULES, 1, DeviceLabels.DRAM));
            case "ipmi" -> List.of(
                    new ExporterMetric("ipmi.power", "ipmi_dcmi_power_consumption_watts" + matchers, Scope.NODE,
                            PowerChannel.Kind.POWER_WATTS, 1, DeviceLabels.NODE));
            default -> throw new UserError("-prof prometheus: exporters=" + exporter + " is not one we know; write"
                    + " exporters= with any of " + String.join(",", EXPORTERS) + ", or query=<selector> for another");
        };
    }

    /**
     * A metric of the user's: {@code query=<selector>;scope=node;kind=power;unit=W}.
     *
     * @throws UserError for a scope, kind or unit we do not know, naming it
     */
    static ExporterMetric userQuery(String selector, String scope, String kind, String unit) {
        Scope s;
        try {
            s = Scope.valueOf(scope.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UserError("-prof prometheus: scope=" + scope + " is not a scope; write one of gpu, cpu, dram,"
                    + " node, cluster");
        }
        PowerChannel.Kind k = switch (kind.toLowerCase(Locale.ROOT)) {
            case "power" -> PowerChannel.Kind.POWER_WATTS;
            case "energy" -> PowerChannel.Kind.ENERGY_JOULES;
            default -> throw new UserError("-prof prometheus: kind=" + kind + " is neither power (a gauge of watts)"
                    + " nor energy (a counter of joules)");
        };
        Map<String, Double> factors = k == PowerChannel.Kind.POWER_WATTS
                ? Map.of("w", 1.0, "mw", 1e-3, "kw", 1e3)
                : Map.of("j", 1.0, "mj", 1e-3, "kj", 1e3, "wh", 3600.0, "kwh", 3.6e6);
        Double factor = factors.get(unit.toLowerCase(Locale.ROOT));
        if (factor == null) {
            throw new UserError("-prof prometheus: unit=" + unit + " does not fit kind=" + kind + "; write one of "
                    + String.join(", ", new java.util.TreeSet<>(factors.keySet())));
        }
        DeviceLabels by = s == Scope.GPU ? DeviceLabels.GPU : DeviceLabels.NODE;
        return new ExporterMetric("query", selector, s, k, factor, by);
    }

    /** Counters are deltas of a meter, gauges are sampled power. */
    Method method() {
        return kind == PowerChannel.Kind.ENERGY_JOULES ? Method.COUNTER : Method.SAMPLED;
    }

    /**
     * The device a series belongs to, from its labels: {@code <node>/<part>}, or {@code <node>} for a
     * whole node, where the node is named by {@code nodeLabel}: {@code host} (the {@code instance}
     * label without its port, so that a host's DCGM exporter on :9400 and its IPMI exporter on :9290
     * are one node), {@code instance} (the whole label: several exporters of one host stand for
     * several nodes, as in a test), or any other label (e.g. {@code Hostname}).
     */
    String device(Map<String, String> labels, String nodeLabel) {
        String node;
        if (nodeLabel.equals("host")) {
            String instance = labels.getOrDefault("instance", "unknown-node");
            int colon = instance.lastIndexOf(':');
            node = colon > 0 && instance.indexOf(']') < colon && instance.substring(colon + 1).chars()
                    .allMatch(Character::isDigit) ? instance.substring(0, colon) : instance;
        } else {
            node = labels.getOrDefault(nodeLabel, "unknown-node");
        }
        return switch (deviceBy) {
            case GPU -> node + "/" + (labels.containsKey("UUID") ? labels.get("UUID")
                    : "gpu" + labels.getOrDefault("gpu", "?"));
            case PACKAGE -> node + "/package-" + labels.getOrDefault("index", "?");
            case DRAM -> node + "/dram-" + labels.getOrDefault("index", "?");
            case NODE -> node;
        };
    }
}
