import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.tokenpowerbench.power.nvml.JnaNvmlLibrary;
import org.tokenpowerbench.power.nvml.NvmlDeviceHandle;
import org.tokenpowerbench.power.nvml.NvmlFieldValue;
import org.tokenpowerbench.power.nvml.NvmlValueType;

/**
 * Which NVML field ids a driver answers, with what type and value, read twice some seconds apart:
 * for settling which ids carry the cumulative clock-event (throttle) times on the driver at hand.
 *
 * <p>Why: the sensor reads the perf-policy hold-back times (ids 74, 75, 77, 79) on boundaries. The
 * times a hardware slowdown or power brake held the clocks back have ids of their own, which public
 * headers number differently: 251-253 in NVIDIA's Python bindings (power smoothing from 256), but
 * 269-271 in another header of the same family (power smoothing from 251). Reading the wrong one as
 * nanoseconds of slowdown would flag waves falsely, so the sensor reads neither until a driver has
 * been surveyed. A slowdown counter is an unsigned 64-bit count of nanoseconds that never falls;
 * a power-smoothing setting is a small, mostly constant number. Compare the two reads with
 * {@code nvidia-smi -q -d PERFORMANCE} ("Clocks Event Reasons Counters", in microseconds), taken
 * between them.
 *
 * <pre>java -cp classes:jna.jar:probe NvmlFieldSurvey [seconds=5] [ids=74-79,83,186,251-275]</pre>
 */
public final class NvmlFieldSurvey {

    private NvmlFieldSurvey() {
    }

    public static void main(String[] args) throws Exception {
        double seconds = 5;
        String ids = "74-79,83,186,251-275";
        for (String a : args) {
            if (a.startsWith("seconds=")) {
                seconds = Double.parseDouble(a.substring(8));
            } else if (a.startsWith("ids=")) {
                ids = a.substring(4);
            } else {
                System.err.println("unknown argument " + a + "; use seconds=S and ids=A-B,C,...");
                System.exit(2);
            }
        }
        int[] fields = parse(ids);
        JnaNvmlLibrary nvml;
        try {
            nvml = JnaNvmlLibrary.load();
        } catch (org.tokenpowerbench.power.SensorUnavailableException e) {
            System.out.println(e.getMessage() + " (asked for fields " + fields.length + " ids: " + ids + ")");
            System.exit(2);
            return;
        }
        nvml.init();
        try {
            System.out.println("driver " + nvml.driverVersion() + ", NVML " + nvml.nvmlVersion());
            NvmlDeviceHandle h = nvml.handleByIndex(0);
            System.out.println("GPU 0: " + nvml.name(h));
            List<NvmlFieldValue> first = read(nvml, h, fields);
            Thread.sleep((long) (seconds * 1000));
            List<NvmlFieldValue> second = read(nvml, h, fields);
            System.out.printf(Locale.ROOT, "%5s  %-8s  %-20s  %-22s  %-22s  %s%n", "id", "return", "type",
                    "first", "second", "second - first");
            for (int i = 0; i < fields.length; i++) {
                NvmlFieldValue a = first.get(i);
                NvmlFieldValue b = second.get(i);
                NvmlValueType type = a.valueType();
                System.out.printf(Locale.ROOT, "%5d  %-8d  %-20s  %-22s  %-22s  %s%n", fields[i], a.returnCode(),
                        type == null ? "code " + a.valueTypeCode() : type.name(), a.ok() ? show(a.value()) : "-",
                        b.ok() ? show(b.value()) : "-", a.ok() && b.ok() ? show(b.value() - a.value()) : "-");
            }
        } finally {
            nvml.shutdown();
        }
    }

    /** One call per field, so that a field the driver refuses cannot take the others with it. */
    private static List<NvmlFieldValue> read(JnaNvmlLibrary nvml, NvmlDeviceHandle h, int[] fields) {
        List<NvmlFieldValue> out = new ArrayList<>();
        for (int id : fields) {
            out.add(nvml.fieldValues(h, 0, id).get(0));
        }
        return out;
    }

    private static String show(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e18 ? Long.toString((long) v) : Double.toString(v);
    }

    static int[] parse(String spec) {
        List<Integer> out = new ArrayList<>();
        for (String part : spec.split(",")) {
            String p = part.strip();
            int dash = p.indexOf('-');
            int from = Integer.parseInt(dash < 0 ? p : p.substring(0, dash));
            int to = dash < 0 ? from : Integer.parseInt(p.substring(dash + 1));
            for (int id = from; id <= to; id++) {
                out.add(id);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }
}
