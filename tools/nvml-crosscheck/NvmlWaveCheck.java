import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.tokenpowerbench.energy.CounterTiming;
import org.tokenpowerbench.energy.PowerSignal;
import org.tokenpowerbench.energy.SignalSource;
import org.tokenpowerbench.power.OptionLine;
import org.tokenpowerbench.power.PowerSampler;
import org.tokenpowerbench.power.PowerSensor;
import org.tokenpowerbench.power.PowerSensors;
import org.tokenpowerbench.power.PowerTrace;
import org.tokenpowerbench.power.SensorUnavailableException;

/**
 * The Java side of the per-wave check (wavecheck.py drives it): records one trace with the
 * framework's {@link PowerSampler} over the {@code nvml} sensor (as {@code -prof nvml} opens it,
 * so with its bracket hunts), then measures waves named afterwards on that one trace with
 * {@link PowerSignal} twice: counter values at their read instants ({@link CounterTiming#READS},
 * what the profiler did before) and at their learned update moments (the default now).
 *
 * <p>Arguments {@code key=value}: {@code seconds} (how long to record), {@code period=10ms},
 * {@code gpus=0}. Protocol: prints {@code STARTED t_ns} once sampling runs and {@code STOPPED t_ns}
 * after {@code seconds}; then reads lines {@code LABEL from_ns to_ns} (on {@link System#nanoTime()},
 * which is CLOCK_MONOTONIC, Python's {@code time.monotonic_ns()}) from stdin until EOF and answers
 * each with {@code WAVE LABEL readJ updateJ}. Last it prints {@code TIMING <how the update moments
 * were found>}.
 */
public final class NvmlWaveCheck {

    /** The check compares totals, so every gap is bridged rather than flagged. */
    private static final long NO_GAP = Long.MAX_VALUE / 4;

    public static void main(String[] args) throws Exception {
        OptionLine a = OptionLine.of("NvmlWaveCheck", List.of(args));
        Duration seconds = a.duration("seconds", Duration.ofSeconds(60));
        Duration period = a.duration("period", Duration.ofMillis(10));
        PowerSensor sensor;
        try {
            Map<String, String> options = new java.util.HashMap<>(Map.of("gpus", a.get("gpus", "0"),
                    "counterSchedule", a.get("counterSchedule", "dense")));
            for (String key : List.of("counterPeriod", "power", "bufferPeriod")) {
                if (a.get(key, null) != null) {
                    options.put(key, a.get(key, null));
                }
            }
            sensor = PowerSensors.open("nvml", options);
        } catch (SensorUnavailableException e) {
            System.out.println("UNAVAILABLE " + e.getMessage());
            System.exit(3);
            return;
        }
        PowerTrace trace;
        try (sensor; PowerSampler sampler = new PowerSampler(sensor, period)) {
            sampler.start();
            System.out.println("STARTED " + System.nanoTime());
            System.out.flush();
            Thread.sleep(seconds.toMillis());
            trace = sampler.stop();
            System.out.println("STOPPED " + System.nanoTime());
            System.out.flush();
        }
        PowerSignal read = PowerSignal.of(trace, NO_GAP, CounterTiming.READS);
        PowerSignal update = PowerSignal.of(trace, NO_GAP, new CounterTiming(true, sensor.updatePeriod().toNanos()));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            String[] w = line.strip().split("\\s+");
            if (w.length != 3) {
                continue;
            }
            long from = Long.parseLong(w[1]);
            long to = Long.parseLong(w[2]);
            System.out.println(String.format(Locale.ROOT, "WAVE %s %.3f %.3f", w[0], read.energyJoules(from, to),
                    update.energyJoules(from, to)));
        }
        for (SignalSource s : update.sources()) {
            System.out.println("TIMING " + s.device() + ": " + s.counterTiming());
        }
    }
}
