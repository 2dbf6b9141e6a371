import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.tokenpowerbench.power.OptionLine;
import org.tokenpowerbench.power.PowerChannel;
import org.tokenpowerbench.power.PowerSampler;
import org.tokenpowerbench.power.PowerTrace;
import org.tokenpowerbench.power.SensorUnavailableException;
import org.tokenpowerbench.power.nvml.CudaVisibleDevices;
import org.tokenpowerbench.power.nvml.JnaNvmlLibrary;
import org.tokenpowerbench.power.nvml.NvmlDeviceHandle;
import org.tokenpowerbench.power.nvml.NvmlException;
import org.tokenpowerbench.power.nvml.NvmlFieldValue;
import org.tokenpowerbench.power.nvml.NvmlFields;
import org.tokenpowerbench.power.nvml.NvmlLibrary;
import org.tokenpowerbench.power.nvml.NvmlOptions;
import org.tokenpowerbench.power.nvml.NvmlSensor;

/**
 * How much CPU the NVML sampler itself costs: a reproducible command, run on a GPU host.
 *
 * <pre>
 * tools/nvml-crosscheck/build.sh       # compiles this file against the framework into .device/nvml/probe
 * java -cp .device/nvml/classes:.device/nvml/jna.jar:.device/nvml/probe \
 *     NvmlSamplerCost [seconds=10] [period=10ms] [replicas=1] [gpus=all] [counterPeriod=1s] [counterSchedule=auto|dense|adaptive|boundaries] [conditionsPeriod=100ms] [power=field|buffer] [bufferPeriod=500ms] [closeStraddle=auto|on|off] [aimReads=on|off] [singleReads=true] [window=5s] [timeCalls=false]
 *     NvmlSamplerCost waves=5s [gap=20ms] [forks=3] [seconds=60] [room=true] ...   (the sensor options as above)
 *     NvmlSamplerCost driver=emulated [emulatedGpus=8] [together=true] [jitterMs=2] [readMs=4] [fetchMs=0.55] [reasonsUs=15] [cycle=false] ...   (no GPU needed)
 * </pre>
 * ({@code run.sh} and {@code cost.sh} beside it run it so.) It is the project's own measuring
 * tool, so it lives here and not in the framework's jar; it uses only the framework's public API.
 *
 * <p>It first times single NVML reads on the calling thread (wall and CPU time of the instant
 * power field, {@code nvmlDeviceGetPowerUsage} and the energy counter), then runs the real
 * {@link PowerSampler} over an {@link NvmlSensor} for {@code seconds} at {@code period}
 * (100 Hz by default) and reports the sampling thread's CPU time per second of sampling, the
 * whole process's CPU time per second (less an idle baseline taken just before) and the mean
 * time inside {@code sample()}.
 *
 * <p>With {@code waves=T} it runs the sensor as a JMH run does instead: {@code forks} times, a
 * sensor opened afresh (the later ones started from the grids the one before learned, as
 * {@code counter-grids.jsonl} hands them on), then {@code seconds} of windows of {@code T}, one
 * {@link PowerSampler} each with its two boundary samples, {@code gap} apart (JMH's pause between
 * iterations, about 20 ms in a llama-server run). Per wave it prints the counter reads, the time
 * spent inside {@code sample()} (the reads busy-wait, so on an H200 that is CPU) and the sampling's
 * own CPU time (the two boundary samples on the calling thread plus the sampler thread's, from
 * {@link ThreadMXBean}); each wave's sampler has room for the samples of the wave before, as the
 * profiler's has ({@code room=false}: the default room); per fork, the reads until every phase was known and the cost per second of
 * run after that, boundaries included, beside the process's CPU above its idle baseline (taken
 * over 1 s, at the operating system's 10 ms resolution, so coarse).
 *
 * <p>{@code driver=emulated} runs all of it on {@link EmulatedNvml} instead of NVML: GPUs whose
 * counters step and whose reads busy-wait as an H200's did, for trying the sampler's schedule on a
 * machine without a GPU. What it prints then is an emulation's, not a measurement of a GPU.
 *
 * <p>{@code replicas=N} presents each GPU N times to the sensor (same handle, UUID suffixed
 * {@code /replicaK}), so a one-GPU machine performs the NVML calls of an N-GPU one; the output
 * says so. It is an estimate of an N-GPU host, not a measurement on one.
 */
public final class NvmlSamplerCost {

    /** The emulated driver, where {@code driver=emulated}: it says where the counter reads began. */
    private static EmulatedNvml emulatedDriver;

    /** {@code room=false}: each wave's sampler starts with the default room, as before session 16, not the last wave's samples. */
    private static boolean room = true;

    private NvmlSamplerCost() {
    }

    /** Runs the measurement; arguments are {@code key=value}, see the class comment. */
    public static void main(String[] args) throws Exception {
        OptionLine a = OptionLine.of("NvmlSamplerCost", List.of(args));
        double seconds = Double.parseDouble(a.get("seconds", "10"));
        Duration period = a.duration("period", Duration.ofMillis(10));
        int replicas = Integer.parseInt(a.get("replicas", "1"));
        Map<String, String> sensorOptions = new HashMap<>();
        sensorOptions.put("gpus", a.get("gpus", "all"));
        if (a.get("counterPeriod", null) != null) {
            sensorOptions.put("counterPeriod", a.get("counterPeriod", null));
        }
        if (a.get("conditionsPeriod", null) != null) {
            sensorOptions.put("conditionsPeriod", a.get("conditionsPeriod", null));
        }
        for (String key : List.of("counterSchedule", "power", "bufferPeriod", "closeStraddle", "aimReads")) {
            if (a.get(key, null) != null) {
                sensorOptions.put(key, a.get(key, null));
            }
        }
        boolean singleReads = Boolean.parseBoolean(a.get("singleReads", "true"));
        double window = a.duration("window", Duration.ofSeconds(5)).toNanos() / 1e9;

        NvmlLibrary real;
        if (a.get("driver", "nvml").equals("emulated")) {
            EmulatedNvml emulated = new EmulatedNvml(Integer.parseInt(a.get("emulatedGpus", "8")),
                    Boolean.parseBoolean(a.get("together", "true")), Double.parseDouble(a.get("jitterMs", "2")),
                    Double.parseDouble(a.get("readMs", "4")), Double.parseDouble(a.get("fetchMs", "0.55")),
                    Double.parseDouble(a.get("reasonsUs", "15")), Boolean.parseBoolean(a.get("cycle", "false")));
            System.out.println("driver: " + emulated.describe());
            real = emulated;
            emulatedDriver = emulated;
        } else {
            JnaNvmlLibrary jna;
            try {
                jna = JnaNvmlLibrary.load();
            } catch (SensorUnavailableException e) {
                System.out.println(e.getMessage());
                System.exit(2);
                return;
            }
            System.out.println("per-sample NVML calls: " + (jna.directCalls() ? "JNA direct mapping"
                    : "JNA interface mapping (-Dtpb.nvml.direct=false, or a symbol missing)"));
            if (singleReads) {
                timeSingleReads(jna);
            }
            real = jna;
        }

        NvmlLibrary library = replicas == 1 ? real : new Replicated(real, replicas);
        TimedNvml timed = Boolean.parseBoolean(a.get("timeCalls", "false")) ? new TimedNvml(library) : null;
        if (timed != null) {
            library = timed;
        }
        Map<String, String> env = new HashMap<>(System.getenv());
        if (replicas != 1) {
            env.remove(CudaVisibleDevices.VARIABLE);
        }
        if (a.get("waves", null) != null) {
            System.out.println(replicas == 1 ? "" : replicas + " replicas of each real GPU: an emulation");
            wakeCost();
            room = Boolean.parseBoolean(a.get("room", "true"));
            runWaves(library, timed, NvmlOptions.parse(sensorOptions), env, period, seconds, a.duration("waves", null),
                    a.duration("gap", Duration.ofMillis(20)), Integer.parseInt(a.get("forks", "3")));
            return;
        }
        try (NvmlSensor sensor = NvmlSensor.open(library, NvmlOptions.parse(sensorOptions), env, System::nanoTime)) {
            int gpus = sensor.metadata().gpus().size();
            System.out.printf(Locale.ROOT, "sensor: %d GPU channel set(s)%s, %d channels, driver %s%n", gpus,
                    replicas == 1 ? "" : " (" + replicas + " replicas of each real GPU: an emulation)",
                    sensor.channels().size(), sensor.metadata().driverVersion());
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            com.sun.management.OperatingSystemMXBean os =
                    (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

            long baseWall = System.nanoTime();
            long baseCpu = os.getProcessCpuTime();
            Thread.sleep(2000);
            double baselinePerSecond = (os.getProcessCpuTime() - baseCpu) / (double) (System.nanoTime() - baseWall);

            PowerSampler sampler = new PowerSampler(sensor, period);
            long cpu0 = os.getProcessCpuTime();
            long wall0 = System.nanoTime();
            sampler.start();
            long threadId = samplerThreadId(threads);
            long threadCpu0 = threadId < 0 ? -1 : threads.getThreadCpuTime(threadId);
            // the thread's CPU at every window's end, so a schedule that learns first (boundaries,
            // adaptive) shows its learning apart from the quiet part after it
            List<double[]> windows = new ArrayList<>();
            long windowNanos = Math.round(window * 1e9);
            long end = wall0 + Math.round(seconds * 1e9);
            long lastT = wall0;
            long lastCpu = threadCpu0;
            while (System.nanoTime() - end < 0) {
                long next = Math.min(end, lastT + windowNanos);
                while (System.nanoTime() - next < 0) { // whole milliseconds, rounded up: no sliver of a window at the end
                    Thread.sleep(Math.max(1, (next - System.nanoTime() + 999_999) / 1_000_000));
                }
                long t = System.nanoTime();
                long c = threadId < 0 ? -1 : threads.getThreadCpuTime(threadId);
                if (threadId >= 0) {
                    windows.add(new double[] {(lastT - wall0) / 1e9, (t - wall0) / 1e9, (c - lastCpu) / 1e6 / ((t - lastT) / 1e9)});
                }
                lastT = t;
                lastCpu = c;
            }
            long threadCpu1 = threadId < 0 ? -1 : threads.getThreadCpuTime(threadId);
            long wall1 = System.nanoTime();
            long cpu1 = os.getProcessCpuTime();
            PowerTrace trace = sampler.stop();
            double wallSeconds = (wall1 - wall0) / 1e9;

            int counterReads = 0;
            int powerReadings = 0;
            int powerChannel = -1;
            for (int c = 0; c < trace.channels().size(); c++) {
                int valid = (int) Arrays.stream(trace.values(c)).filter(v -> !Double.isNaN(v)).count();
                if (trace.channels().get(c).kind() == PowerChannel.Kind.ENERGY_JOULES) {
                    counterReads += valid;
                } else {
                    powerReadings += valid;
                    if (powerChannel < 0) {
                        powerChannel = c;
                    }
                }
            }
            System.out.printf(Locale.ROOT, "power: %s, %d readings over all GPUs%n",
                    powerChannel < 0 ? "none" : trace.channels().get(powerChannel).name(), powerReadings);
            long ticks = Arrays.stream(trace.timestampsNanos()).distinct().count(); // a buffer fetch's samples share their read's row time
            System.out.printf(Locale.ROOT, "sampling: %.1f s at period %s: %d samples (%.1f/s), %d counter reads,"
                            + " %d read errors%n", wallSeconds, period, ticks,
                    ticks / wallSeconds, counterReads, sensor.readErrors());
            System.out.printf(Locale.ROOT, "time inside sample(): mean %.1f us%n",
                    sampler.sensorNanos() / 1e3 / ticks);
            if (powerChannel >= 0) {
                System.out.println("power channel " + trace.channels().get(powerChannel).name() + " value changes: "
                        + changeIntervals(trace.timestampsNanos(), trace.values(powerChannel)));
            }
            if (threadCpu0 >= 0 && threadCpu1 >= 0) {
                System.out.printf(Locale.ROOT, "sampler thread CPU: %.2f ms per second of sampling (%.3f %% of one core)%n",
                        (threadCpu1 - threadCpu0) / 1e6 / wallSeconds, (threadCpu1 - threadCpu0) / 1e7 / wallSeconds);
            }
            if (windows.size() > 1) {
                StringBuilder w = new StringBuilder("sampler thread CPU by window, ms/s:");
                long[] stamps = trace.timestampsNanos();
                for (double[] x : windows) {
                    int reads = 0;
                    for (int c = 0; c < trace.channels().size(); c++) {
                        if (trace.channels().get(c).kind() != PowerChannel.Kind.ENERGY_JOULES) {
                            continue;
                        }
                        double[] v = trace.values(c);
                        for (int i = 0; i < stamps.length; i++) {
                            double at = (stamps[i] - wall0) / 1e9;
                            if (!Double.isNaN(v[i]) && at >= x[0] && at < x[1]) {
                                reads++;
                            }
                        }
                    }
                    w.append(String.format(Locale.ROOT, " [%.0f-%.0f s] %.2f (%d counter reads)", x[0], x[1], x[2], reads));
                }
                System.out.println(w);
                double quietCpu = 0;
                double quietSeconds = 0;
                for (double[] x : windows.subList(1, windows.size())) {
                    quietCpu += x[2] * (x[1] - x[0]);
                    quietSeconds += x[1] - x[0];
                }
                System.out.printf(Locale.ROOT, "sampler thread CPU after the first window: %.2f ms/s over %.1f s%n",
                        quietCpu / quietSeconds, quietSeconds);
            }
            double processPerSecond = (cpu1 - cpu0) / (double) (wall1 - wall0);
            System.out.printf(Locale.ROOT, "process CPU: %.2f ms per second of sampling, idle baseline %.2f ms/s,"
                            + " difference %.2f ms/s%n", processPerSecond * 1e3, baselinePerSecond * 1e3,
                    (processPerSecond - baselinePerSecond) * 1e3);
        }
    }

    /**
     * The sensor as a JMH run drives it: {@code forks} sensors one after another, each started from
     * the grids the one before learned, each sampling {@code seconds} of windows of {@code wave}
     * with their boundary samples, {@code gap} apart. See the class comment for what it prints.
     */
    public static void runWaves(NvmlLibrary library, TimedNvml timed, NvmlOptions options, Map<String, String> env,
                                Duration period, double seconds, Duration wave, Duration gap, int forks) throws Exception {
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        Map<String, org.tokenpowerbench.energy.CounterGrid> grids = Map.of();
        for (int fork = 1; fork <= forks; fork++) {
            try (NvmlSensor sensor = NvmlSensor.open(library, options, env, System::nanoTime)) {
                sensor.startFrom(grids);
                int gpus = sensor.metadata().gpus().size();
                // the process's CPU at rest: the least of four quarter seconds, so that a burst in one (the last fork's
                // threads winding down, a collection) does not make the idle rate larger than the whole fork's
                // (session 29 printed -329.69 ms/s above an idle of 339.92 from one second read in one piece)
                double idlePerSecond = Double.MAX_VALUE;
                for (int q = 0; q < 4; q++) {
                    long baseWall = System.nanoTime();
                    long baseCpu = os.getProcessCpuTime();
                    Thread.sleep(250);
                    idlePerSecond = Math.min(idlePerSecond,
                            (os.getProcessCpuTime() - baseCpu) / (double) (System.nanoTime() - baseWall));
                }
                System.out.printf(Locale.ROOT, "fork %d: %d GPU(s), schedule %s, %s%n", fork, gpus,
                        sensor.metadata().asProperties().get("nvml.counterSchedule"),
                        grids.isEmpty() ? "learning from nothing" : "starting from the grids of fork " + (fork - 1));
                long forkStart = System.nanoTime();
                long forkCpu = os.getProcessCpuTime();
                int learnedAfterReads = -1;
                int reads = 0;
                long learnedAt = 0;
                long learnedCpu = 0;
                Map<String, Long> learnedThreads = Map.of();
                long sensorNanosAfter = 0;
                long samplingCpuAfter = 0;
                long startCpuAfter = 0;
                long stopCpuAfter = 0;
                int readsAfter = 0;
                ThreadMXBean threads = ManagementFactory.getThreadMXBean();
                int k = 0;
                int lastRows = 0;
                while (System.nanoTime() - forkStart < seconds * 1e9) {
                    k++;
                    // room for the last wave's samples and an eighth more, as the profiler makes
                    PowerSampler sampler = new PowerSampler(sensor, period, room ? lastRows + lastRows / 8 : 0);
                    // the sampling's own CPU: the two boundary samples on this thread, and the sampler thread's
                    long callerCpu = threads.getCurrentThreadCpuTime();
                    sampler.start();
                    long samplingCpu = threads.getCurrentThreadCpuTime() - callerCpu;
                    long startCpu = samplingCpu;
                    Thread.sleep(wave.toMillis());
                    long samplerThread = samplerThreadId(threads);
                    long threadCpu = samplerThread < 0 ? 0 : Math.max(0, threads.getThreadCpuTime(samplerThread));
                    callerCpu = threads.getCurrentThreadCpuTime();
                    PowerTrace trace = sampler.stop();
                    lastRows = trace.size();
                    long stopCpu = threads.getCurrentThreadCpuTime() - callerCpu;
                    samplingCpu += stopCpu + threadCpu;
                    long inSensor = sampler.sensorNanos();
                    sampler.close();
                    int waveReads = 0;
                    int waveCarried = 0;
                    for (int c = 0; c < trace.channels().size(); c++) {
                        if (trace.channels().get(c).kind() == PowerChannel.Kind.ENERGY_JOULES) {
                            double[] v = trace.values(c);
                            long[] at = trace.timestampsNanos(c);
                            for (int i = 0; i < v.length; i++) {
                                if (!Double.isNaN(v[i])) {
                                    // a value dated before the wave's first sample is the last wave's closing read, given again
                                    if (at[i] < trace.startNanos()) {
                                        waveCarried++;
                                    } else {
                                        waveReads++;
                                    }
                                }
                            }
                        }
                    }
                    reads += waveReads;
                    boolean justLearned = false;
                    if (learnedAfterReads >= 0) {
                        sensorNanosAfter += inSensor;
                        samplingCpuAfter += samplingCpu;
                        startCpuAfter += startCpu;
                        stopCpuAfter += stopCpu;
                        readsAfter += waveReads;
                    } else if (sensor.counterGrids().size() == gpus) {
                        justLearned = true;
                        learnedAfterReads = reads;
                        learnedAt = System.nanoTime();
                        learnedCpu = os.getProcessCpuTime();
                        learnedThreads = ThreadCpuByName.now();
                        if (timed != null) {
                            timed.reset();
                        }
                        if (emulatedDriver != null) {
                            emulatedDriver.resetReadClasses();
                        }
                    }
                    System.out.printf(Locale.ROOT, "  wave %d: %d counter reads%s, %.1f ms inside sample() (%.2f ms/s),"
                                    + " sampling CPU %.1f ms (%.2f ms/s), %d trace rows%s%n", k,
                            waveReads, waveCarried == 0 ? "" : " (+" + waveCarried + " opening values carried from the wave before)",
                            inSensor / 1e6, inSensor / 1e6 / (wave.toNanos() / 1e9), samplingCpu / 1e6,
                            samplingCpu / 1e6 / (wave.toNanos() / 1e9), trace.size(),
                            justLearned ? ", every phase known by its end" : "");
                    Thread.sleep(gap.toMillis());
                }
                long end = System.nanoTime();
                long endCpu = os.getProcessCpuTime();
                Map<String, Long> endThreads = ThreadCpuByName.now();
                if (learnedAfterReads < 0) {
                    System.out.printf(Locale.ROOT, "fork %d: %d counter reads, the phases not all known after %.0f s%n",
                            fork, reads, (end - forkStart) / 1e9);
                } else {
                    double after = (end - learnedAt) / 1e9;
                    System.out.printf(Locale.ROOT, "fork %d: every phase known after %d counter reads;"
                                    + " after that, %d reads in %.1f s: %.2f ms/s inside sample(), sampling CPU %.2f ms/s"
                                    + " (boundary samples and sampler threads), process CPU %.2f ms/s"
                                    + " above its idle %.2f ms/s; the whole fork: process CPU %.2f ms/s above idle%n", fork,
                            learnedAfterReads, readsAfter, after, sensorNanosAfter / 1e6 / after, samplingCpuAfter / 1e6 / after,
                            after > 0 ? ((endCpu - learnedCpu) / 1e6 / after - idlePerSecond * 1e3) : Double.NaN,
                            idlePerSecond * 1e3, (endCpu - forkCpu) / 1e6 / ((end - forkStart) / 1e9) - idlePerSecond * 1e3);
                    if (!endThreads.isEmpty()) {
                        System.out.printf(Locale.ROOT, "fork %d: the process CPU after that by thread (/proc, ms/s): %s%n",
                                fork, ThreadCpuByName.between(learnedThreads, endThreads, after,
                                        endCpu - learnedCpu));
                    }
                    System.out.printf(Locale.ROOT, "fork %d: of the sampling CPU, start() %.2f ms/s, stop() %.2f ms/s"
                                    + " (each a boundary sample, on the caller's thread), the sampler thread the rest%n",
                            fork, startCpuAfter / 1e6 / after, stopCpuAfter / 1e6 / after);
                    System.out.printf(Locale.ROOT, "fork %d: aimReads %s; %d boundary reads waited for a cheap moment,"
                                    + " %.1f ms parked in all the fork's waits%n", fork,
                            sensor.environment().getOrDefault("aimReads", "(not this schedule)").split(":")[0],
                            sensor.aimedWaits(), sensor.waitedNanos() / 1e6);
                    System.out.printf(Locale.ROOT, "fork %d: buffer fetched every %d ms (opened with %d ms; the driver's"
                                    + " buffer held %s at open), %d fetch(es) found samples gone (%d ms in all)%n", fork,
                            sensor.bufferPeriod().toMillis(), sensor.metadata().bufferPeriod().toMillis(),
                            sensor.metadata().bufferHeld() == null ? "an unknown time" : sensor.metadata().bufferHeld().toMillis() + " ms",
                            sensor.bufferLosses(), sensor.bufferLost().toMillis());
                    if (timed != null) {
                        System.out.printf(Locale.ROOT, "fork %d: NVML calls after that, by kind (timeCalls=true):%n%s%n",
                                fork, timed.report(after));
                    }
                    if (emulatedDriver != null) {
                        System.out.printf(Locale.ROOT, "fork %d: emulated counter reads after that: %s%n", fork,
                                emulatedDriver.readClasses());
                    }
                }
                grids = sensor.counterGrids();
            }
        }
    }

    /**
     * What waking a parked thread costs here, the floor under every wake of the sampler thread: a
     * plain thread parked until each 100 ms tick for 3 s, its CPU a wake. On a sandboxed host a
     * wake can cost tens of microseconds of CPU by itself (80-110 µs on the 2-core development
     * machine), so a sampler that wakes ten times a second pays that ten times over.
     */
    private static void wakeCost() throws InterruptedException {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double[] perWake = new double[1];
        Thread t = new Thread(() -> {
            long c0 = threads.getCurrentThreadCpuTime();
            long next = System.nanoTime();
            int n = 30;
            for (int i = 0; i < n; i++) {
                next += 100_000_000L;
                long w;
                while ((w = next - System.nanoTime()) > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(w);
                }
            }
            perWake[0] = (threads.getCurrentThreadCpuTime() - c0) / 1e3 / n;
        }, "wake-cost");
        t.start();
        t.join();
        System.out.printf(Locale.ROOT, "a parked thread's wake, 10 a second: %.1f us of CPU each%n", perWake[0]);
    }

    /** Median and quartiles of the time between changes of value, ms. */
    private static String changeIntervals(long[] t, double[] v) {
        List<Long> changes = new ArrayList<>();
        double last = Double.NaN;
        for (int i = 0; i < t.length; i++) {
            if (Double.isNaN(v[i])) {
                continue;
            }
            if (!Double.isNaN(last) && v[i] != last) {
                changes.add(t[i]);
            }
            last = v[i];
        }
        return gaps(changes);
    }

    /** Median and quartiles of the gaps between the given times, ms. */
    private static String gaps(List<Long> changes) {
        if (changes.size() < 5) {
            return changes.size() + " changes";
        }
        double[] gaps = new double[changes.size() - 1];
        for (int i = 1; i < changes.size(); i++) {
            gaps[i - 1] = (changes.get(i) - changes.get(i - 1)) / 1e6;
        }
        Arrays.sort(gaps);
        return String.format(Locale.ROOT, "%d changes, every %.1f ms (median; quartiles %.1f, %.1f)", changes.size(),
                gaps[gaps.length / 2], gaps[gaps.length / 4], gaps[gaps.length * 3 / 4]);
    }

    private static long samplerThreadId(ThreadMXBean threads) {
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith("tpb-power-sampler-")) {
                return info.getThreadId();
            }
        }
        return -1;
    }

    /** Times each kind of read on this thread: wall and CPU, microseconds per call. */
    private static void timeSingleReads(NvmlLibrary nvml) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        nvml.init();
        try {
            NvmlDeviceHandle h = nvml.handleByIndex(0);
            System.out.printf(Locale.ROOT, "device 0: %s %s, driver %s, NVML %s%n",
                    nvml.name(h), nvml.uuid(h), nvml.driverVersion(), nvml.nvmlVersion());
            time(threads, "field 186 (instant power)", 2000, () -> nvml.fieldValues(h, 0, NvmlFields.POWER_INSTANT));
            time(threads, "nvmlDeviceGetPowerUsage", 2000, () -> nvml.powerUsageMilliwatts(h));
            time(threads, "nvmlDeviceGetCurrentClocksEventReasons", 500, () -> nvml.clocksEventReasons(h));
            time(threads, "nvmlDeviceGetTemperature", 500, () -> nvml.temperatureCelsius(h));
            time(threads, "nvmlDeviceGetClockInfo (SM)", 500, () -> nvml.smClockMHz(h));
            time(threads, "nvmlDeviceGetTotalEnergyConsumption", 100, () -> nvml.totalEnergyConsumptionMillijoules(h));
            spaced(threads, "nvmlDeviceGetTotalEnergyConsumption, 100 ms apart", 20, 100,
                    () -> nvml.totalEnergyConsumptionMillijoules(h));
            fieldRefresh(nvml, h);
        } finally {
            nvml.shutdown();
        }
    }

    private static void time(ThreadMXBean threads, String what, int n, Runnable read) {
        for (int i = 0; i < Math.min(n, 50); i++) {
            try {
                read.run();
            } catch (NvmlException e) {
                System.out.println(what + ": " + e.getMessage());
                return;
            }
        }
        long[] wall = new long[n];
        long cpu0 = threads.getCurrentThreadCpuTime();
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            read.run();
            wall[i] = System.nanoTime() - t;
        }
        long cpu = threads.getCurrentThreadCpuTime() - cpu0;
        Arrays.sort(wall);
        System.out.printf(Locale.ROOT, "%s: wall median %.1f us, p99 %.1f us, max %.1f us; CPU mean %.1f us (%d reads)%n",
                what, wall[n / 2] / 1e3, wall[(int) (n * 0.99)] / 1e3, wall[n - 1] / 1e3, cpu / 1e3 / n, n);
    }

    /** Times reads spaced {@code gapMillis} apart, as the sampler makes them. */
    private static void spaced(ThreadMXBean threads, String what, int n, long gapMillis, Runnable read) {
        long wall = 0;
        long cpu = 0;
        long max = 0;
        for (int i = 0; i < n; i++) {
            sleepMillis(gapMillis);
            long c0 = threads.getCurrentThreadCpuTime();
            long t = System.nanoTime();
            read.run();
            long w = System.nanoTime() - t;
            cpu += threads.getCurrentThreadCpuTime() - c0;
            wall += w;
            max = Math.max(max, w);
        }
        System.out.printf(Locale.ROOT, "%s: wall mean %.1f us, max %.1f us; CPU mean %.1f us (%d reads)%n",
                what, wall / 1e3 / n, max / 1e3, cpu / 1e3 / n, n);
    }

    /**
     * Reads the instant power field every 2 ms for 2 s with no counter read, and reports how often
     * its value and its own timestamp change: whether it refreshes by itself.
     */
    private static void fieldRefresh(NvmlLibrary nvml, NvmlDeviceHandle h) {
        List<Long> valueChanges = new ArrayList<>();
        List<Long> stampChanges = new ArrayList<>();
        double lastValue = Double.NaN;
        long lastStamp = Long.MIN_VALUE;
        long end = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < end) {
            NvmlFieldValue fv = nvml.fieldValues(h, NvmlFields.SCOPE_GPU, NvmlFields.POWER_INSTANT).get(0);
            long now = System.nanoTime();
            if (fv.ok()) {
                if (!Double.isNaN(lastValue) && fv.value() != lastValue) {
                    valueChanges.add(now);
                }
                if (lastStamp != Long.MIN_VALUE && fv.timestampMicros() != lastStamp) {
                    stampChanges.add(now);
                }
                lastValue = fv.value();
                lastStamp = fv.timestampMicros();
            }
            sleepMillis(2);
        }
        System.out.println("field 186 read every 2 ms for 2 s, no counter reads: value "
                + gaps(valueChanges) + "; its timestamp " + gaps(stampChanges));
    }

    private static void sleepMillis(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Shows each real GPU {@code replicas} times, to load the sampler like a larger host. */
    private static final class Replicated extends ForwardingNvml {
        private final int replicas;
        private final List<NvmlDeviceHandle> issued = new ArrayList<>();
        private final Map<Long, Integer> replicaOf = new HashMap<>();
        private int realCount;

        Replicated(NvmlLibrary real, int replicas) {
            super(real);
            this.replicas = replicas;
        }

        @Override
        public void init() {
            real.init();
            realCount = real.deviceCount();
        }

        @Override
        public int deviceCount() {
            return realCount * replicas;
        }

        @Override
        public NvmlDeviceHandle handleByIndex(int index) {
            NvmlDeviceHandle h = real.handleByIndex(index % realCount);
            // a distinct handle per replica, remembered so that calls reach the real one
            NvmlDeviceHandle fake = new NvmlDeviceHandle(-(issued.size() + 1));
            issued.add(h);
            replicaOf.put(fake.address(), index / realCount);
            return fake;
        }

        // every call, the conditions' too, reaches the real GPU, as a real N-GPU host makes them all
        @Override
        protected NvmlDeviceHandle handle(NvmlDeviceHandle fake) {
            return issued.get((int) (-fake.address() - 1));
        }

        @Override
        public String uuid(NvmlDeviceHandle device) {
            return real.uuid(handle(device)) + "/replica" + replicaOf.get(device.address());
        }
    }
}
