package org.tokenpowerbench.power.ipmi;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.tokenpowerbench.power.Method;
import org.tokenpowerbench.power.PowerChannel;
import org.tokenpowerbench.power.PowerSensor;
import org.tokenpowerbench.power.Readings;
import org.tokenpowerbench.power.Scope;
import org.tokenpowerbench.power.SensorUnavailableException;

/**
 * A node's power as its BMC measures it, through {@code ipmitool dcmi power reading}: in-band
 * ({@code /dev/ipmi0}) or a remote BMC over {@code lanplus}.
 *
 * <p>BMCs are slow: a read takes tens to hundreds of milliseconds and the reading is itself about a
 * second's average. The sensor reads at most every {@code interval} (and at the window's two ends),
 * places each reading at the midpoint of the read's real time, and gives as its update period the
 * larger of the interval, one second and the slowest read seen at open, so a wave or a phase
 * shorter than that is flagged as not directly measurable. The BMC's own statistics period (the
 * "sampling period" over which it keeps min, max and average) is stated in {@link #environment()}.
 *
 * <p>A remote BMC's password is handed to ipmitool through its environment ({@code -E}, the
 * variable {@code IPMI_PASSWORD}), never on a command line, and is never printed or written.
 */
final class IpmiDcmiSensor implements PowerSensor {

    private final List<String> command;
    private final Map<String, String> childEnvironment;
    private final String device;
    private final Duration interval;
    private final Duration timeout;
    private final DcmiPowerReading first;
    private final long slowestReadNanos;
    private final String describe;
    private long lastReadNanos = Long.MIN_VALUE;

    private IpmiDcmiSensor(List<String> command, Map<String, String> childEnvironment, String device, Duration interval,
                           Duration timeout, DcmiPowerReading first, long slowestReadNanos, String describe) {
        this.command = command;
        this.childEnvironment = childEnvironment;
        this.device = device;
        this.interval = interval;
        this.timeout = timeout;
        this.first = first;
        this.slowestReadNanos = slowestReadNanos;
        this.describe = describe;
    }

    /**
     * Reads the BMC three times to learn what a read costs.
     *
     * @param command  ipmitool and its connection arguments, without {@code dcmi power reading}
     * @param describe the connection in words, without secrets
     * @throws SensorUnavailableException when ipmitool is missing or the BMC does not answer with a reading
     */
    static IpmiDcmiSensor open(List<String> command, Map<String, String> childEnvironment, String device,
                               Duration interval, Duration timeout, String describe) throws SensorUnavailableException {
        List<String> full = new ArrayList<>(command);
        full.addAll(List.of("dcmi", "power", "reading"));
        long slowest = 0;
        DcmiPowerReading reading = null;
        for (int i = 0; i < 3; i++) {
            long t = System.nanoTime();
            try {
                reading = DcmiPowerReading.parse(run(full, childEnvironment, timeout));
            } catch (IOException e) {
                throw new SensorUnavailableException("ipmi: cannot run " + command.get(0) + " (" + e.getMessage()
                        + "): install ipmitool (apt-get install ipmitool) or name it with ipmitool=/path", e);
            } catch (IllegalArgumentException e) {
                throw new SensorUnavailableException("ipmi: " + describe + " gave no DCMI power reading: "
                        + e.getMessage() + "; check that the BMC supports DCMI power management", e);
            }
            slowest = Math.max(slowest, System.nanoTime() - t);
        }
        if (!reading.active()) {
            throw new SensorUnavailableException("ipmi: " + describe + " says its power reading is deactivated:"
                    + " activate it with 'ipmitool dcmi power activate' (or in the BMC's settings)");
        }
        return new IpmiDcmiSensor(full, childEnvironment, device, interval, timeout, reading, slowest, describe);
    }

    /** Runs the command and returns its standard output; its standard error joins the message of a failure. */
    static String run(List<String> command, Map<String, String> env, Duration timeout) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        byte[] out;
        try (InputStream in = p.getInputStream()) {
            out = in.readAllBytes();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException("no answer in " + timeout.toMillis() + " ms");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IllegalArgumentException("exit status " + p.exitValue() + ": " + text.strip());
        }
        return text;
    }

    @Override
    public String id() {
        return "ipmi";
    }

    @Override
    public List<PowerChannel> channels() {
        return List.of(new PowerChannel("dcmi.power", device, Scope.NODE, Method.SAMPLED,
                PowerChannel.Kind.POWER_WATTS));
    }


    @Override
    public void sample(Readings out, boolean boundary) {
        long start = System.nanoTime();
        if (!boundary && start - lastReadNanos < interval.toNanos()) {
            return;
        }
        lastReadNanos = start;
        DcmiPowerReading r;
        try {
            r = DcmiPowerReading.parse(run(command, childEnvironment, timeout));
        } catch (IOException | IllegalArgumentException e) {
            throw new java.io.UncheckedIOException("ipmi: " + describe + " stopped answering: " + e.getMessage(),
                    e instanceof IOException io ? io : new IOException(e));
        }
        long end = System.nanoTime();
        out.set(0, r.currentWatts(), start + (end - start) / 2);
    }

    @Override
    public Duration updatePeriod() {
        long nanos = Math.max(Math.max(interval.toNanos(), Duration.ofSeconds(1).toNanos()), slowestReadNanos);
        return Duration.ofNanos(nanos);
    }

    @Override
    public Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("bmc", describe);
        env.put("bmcStatisticsPeriodMs", Long.toString(first.period().toMillis()));
        env.put("slowestReadMs", String.format(java.util.Locale.ROOT, "%.1f", slowestReadNanos / 1e6));
        env.put("readIntervalMs", Long.toString(interval.toMillis()));
        env.put("placement", "each reading at the midpoint of its read (the BMC's value is about a 1 s average)");
        env.put("bmcTimestampAtOpen", first.bmcTimestamp());
        return env;
    }

    @Override
    public void close() {
        // each read is a process of its own
    }
}
