import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.tokenpowerbench.energy.PowerSignal;
import org.tokenpowerbench.power.OptionLine;
import org.tokenpowerbench.power.PowerChannel;
import org.tokenpowerbench.power.PowerSampler;
import org.tokenpowerbench.power.PowerSensor;
import org.tokenpowerbench.power.PowerSensors;
import org.tokenpowerbench.power.PowerTrace;
import org.tokenpowerbench.power.SensorUnavailableException;
import org.tokenpowerbench.power.nvml.NvmlSensor;

/**
 * The Java side of the NVML cross-check (crosscheck.py drives it): opens {@code -prof nvml}'s
 * sensor through {@link PowerSensors}, and measures windows on command with the framework's own
 * {@link PowerSampler}, so that another program can read NVML independently over the same
 * windows.
 *
 * <p>Arguments: {@code key=value}: {@code period=10ms}, {@code gpus=...}, {@code trace-dir=DIR}
 * (where {@code stop LABEL csv} writes {@code LABEL.csv}); or the single word {@code describe},
 * which prints the sensor's metadata, or its one-line refusal, and exits.
 *
 * <p>Protocol on stdin/stdout, one line each: {@code start LABEL} → {@code STARTED LABEL t_ns};
 * {@code stop LABEL [csv]} → {@code RESULT {json}}; {@code quit} → {@code BYE}. Times are
 * {@link System#nanoTime()}, which on Linux is CLOCK_MONOTONIC, the clock of Python's
 * {@code time.monotonic_ns()}.
 */
public final class NvmlWindowProbe {

    /** Report every gap's energy rather than flag it: the cross-check compares totals only. */
    private static final long NO_GAP = Long.MAX_VALUE / 4;

    public static void main(String[] args) throws Exception {
        boolean describe = List.of(args).contains("describe");
        OptionLine a = OptionLine.of("NvmlWindowProbe", List.of(args).stream().filter(x -> !x.equals("describe")).toList());
        Duration period = a.duration("period", Duration.ofMillis(10));
        Path traceDir = Path.of(a.get("trace-dir", "."));
        Map<String, String> options = new HashMap<>();
        if (a.get("gpus", null) != null) {
            options.put("gpus", a.get("gpus", null));
        }
        PowerSensor sensor;
        try {
            sensor = PowerSensors.open("nvml", options);
        } catch (SensorUnavailableException e) {
            System.out.println("UNAVAILABLE " + e.getMessage());
            System.exit(describe ? 0 : 3);
            return;
        }
        try (sensor) {
            NvmlSensor nvml = (NvmlSensor) sensor;
            nvml.metadata().asProperties().forEach((k, v) -> System.out.println("META " + k + "=" + v));
            for (PowerChannel c : sensor.channels()) {
                System.out.println("CHANNEL " + c.name() + " " + c.device() + " " + c.kind() + " " + c.method().label());
            }
            if (describe) {
                return;
            }
            System.out.println("READY");
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            PowerSampler sampler = null;
            long from = 0;
            String line;
            while ((line = in.readLine()) != null) {
                String[] cmd = line.trim().split("\\s+");
                switch (cmd[0]) {
                    case "start" -> {
                        sampler = new PowerSampler(sensor, period);
                        sampler.start();
                        from = System.nanoTime();
                        System.out.println("STARTED " + cmd[1] + " " + from);
                    }
                    case "stop" -> {
                        long to = System.nanoTime();
                        PowerTrace trace = sampler.stop();
                        System.out.println("RESULT " + result(cmd[1], trace, sampler, nvml, from, to));
                        if (cmd.length > 2 && cmd[2].equals("csv")) {
                            try (Writer w = Files.newBufferedWriter(traceDir.resolve(cmd[1] + ".csv"))) {
                                trace.writeCsv(w);
                            }
                        }
                        sampler.close();
                        sampler = null;
                    }
                    case "quit" -> {
                        System.out.println("BYE");
                        return;
                    }
                    default -> System.out.println("ERROR unknown command '" + line + "'");
                }
                System.out.flush();
            }
        }
    }

    private static String result(String label, PowerTrace trace, PowerSampler sampler, NvmlSensor nvml,
                                 long from, long to) {
        long t0 = trace.startNanos();
        long tN = trace.endNanos();
        StringBuilder j = new StringBuilder();
        j.append(String.format(Locale.ROOT, "{\"label\":\"%s\",\"t0_ns\":%d,\"tN_ns\":%d,\"from_ns\":%d,\"to_ns\":%d,"
                        + "\"samples\":%d,\"mean_sample_us\":%.2f,\"read_errors\":%d,\"gpus\":[",
                label, t0, tN, from, to, trace.size(), sampler.sensorNanos() / 1e3 / trace.size(), nvml.readErrors()));
        List<PowerChannel> channels = trace.channels();
        boolean firstGpu = true;
        for (int c = 0; c < channels.size(); c++) {
            PowerChannel counter = channels.get(c);
            if (counter.kind() != PowerChannel.Kind.ENERGY_JOULES) {
                continue;
            }
            int p = -1;
            for (int q = 0; q < channels.size(); q++) {
                if (channels.get(q).kind() == PowerChannel.Kind.POWER_WATTS && channels.get(q).device().equals(counter.device())) {
                    p = q;
                }
            }
            double[] e = trace.values(c);
            int reads = 0;
            for (double v : e) {
                reads += Double.isNaN(v) ? 0 : 1;
            }
            double counterJ = trace.energyJoules(c, t0, tN);
            j.append(firstGpu ? "" : ",");
            firstGpu = false;
            j.append(String.format(Locale.ROOT, "{\"uuid\":\"%s\",\"counter_channel\":\"%s\",\"counter_reads\":%d,"
                    + "\"counter_j\":%.3f", counter.device(), counter.name(), reads, counterJ));
            if (p >= 0) {
                PowerChannel power = channels.get(p);
                PowerSignal fused = PowerSignal.of(trace, NO_GAP, ch -> ch == counter || ch == power);
                PowerSignal sampled = PowerSignal.of(trace, NO_GAP, ch -> ch == power);
                j.append(String.format(Locale.ROOT, ",\"power_channel\":\"%s\",\"fused_boundaries_j\":%s,"
                                + "\"fused_window_j\":%s,\"trapezoid_j\":%s,\"trace_trapezoid_j\":%s,"
                                + "\"avg_w\":%.2f,\"peak_w\":%.2f",
                        power.name(), joules(fused, t0, tN), joules(fused, from, to), joules(sampled, t0, tN),
                        sampled.covers(t0, tN) ? String.format(Locale.ROOT, "%.3f", trace.energyJoules(p, t0, tN)) : "NaN",
                        trace.averageWatts(p, t0, tN), trace.peakWatts(p, t0, tN)));
            }
            j.append('}');
        }
        return j.append("]}").toString();
    }

    /**
     * Joules over the window, or {@code NaN} where the signal does not reach both ends (Python's
     * json module reads it, and crosscheck.py's tables then show nan rather than stop).
     */
    private static String joules(PowerSignal signal, long from, long to) {
        return signal.covers(from, to) ? String.format(Locale.ROOT, "%.3f", signal.energyJoules(from, to)) : "NaN";
    }
}
