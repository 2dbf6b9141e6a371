package org.tokenpowerbench.power;

import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Reads one {@link PowerSensor} at a fixed period on a dedicated daemon thread and hands back
 * the result as a {@link PowerTrace}.
 *
 * <p>Lifecycle: {@link #start()} tells the sensor a window opens ({@link PowerSensor#opensWindow()})
 * and takes the first sample (a boundary sample) before it returns,
 * so a window that opens after {@code start()} is covered; the thread then samples every
 * {@code period} on a fixed grid, skipping ticks it missed rather than bursting to catch up.
 * {@link #stop()} ends the thread, takes one last boundary sample and returns the trace. Only
 * those two samples are taken with {@code boundary = true}, and any that {@link #sampleEdge} asks
 * for inside the window (for a sensor that {@linkplain PowerSensor#readsInnerEdges() reads inner
 * edges}). The sensor is never called from two threads at once: the first and last boundary
 * samples are taken on the caller's thread strictly before the sampling thread starts and after
 * it has ended, and inner ones on the sampling thread.
 *
 * <p>A sampler runs once; create a new one per window. It does not own the sensor: closing the
 * sampler leaves the sensor open.
 *
 * <pre>{@code
 * try (PowerSampler sampler = new PowerSampler(sensor, Duration.ofMillis(10))) {
 *     sampler.start();
 *     long from = System.nanoTime();
 *     runTheWork();
 *     long to = System.nanoTime();
 *     PowerTrace trace = sampler.stop();
 *     double joules = trace.energyJoules(0, from, to);
 * }
 * }</pre>
 *
 * <p>Each timestamp is {@link System#nanoTime()} taken just before the sensor read; a reading
 * that carries its own time ({@link Readings#set(int, double, long)}) keeps that time beside it,
 * and a reading no newer than the channel's last one (a source that had not updated) is kept as
 * not read, so it neither repeats a value nor goes back in time. Samples are
 * kept in growable primitive arrays. {@link #sensorNanos()} and {@link #sampleCount()} tell what
 * the sampling itself costs.
 */
public final class PowerSampler implements AutoCloseable {

    /** The period used when none is given: 10 ms. */
    public static final Duration DEFAULT_PERIOD = Duration.ofMillis(10);
    /** The shortest period accepted: 1 ms. */
    public static final Duration MIN_PERIOD = Duration.ofMillis(1);

    private enum State { NEW, RUNNING, STOPPED, CLOSED }

    private final PowerSensor sensor;
    private final Duration period;
    private final long periodNanos;
    private final Readings scratch;

    // Written by exactly one thread at a time: the caller before start()/after join, else the sampler.
    private long[] timestamps = new long[256];
    /** The most room made beforehand ({@link #PowerSampler(PowerSensor, Duration, int)}): 1 M samples. */
    private static final int MAX_EXPECTED_SAMPLES = 1 << 20;
    private double[][] values;
    /** Per channel, when each value was true; null until a sensor gives a time of its own. */
    private long[][] measuredAt;
    /** Per channel, the time of the last value kept: a reading no newer than it is the same reading again. */
    private final long[] lastMeasured;
    private volatile int count;
    private volatile long sensorNanos;
    /** Of {@link #sensorNanos}, the reads on the sampling thread's own schedule (not edge samples). */
    private volatile long scheduledSensorNanos;
    private volatile Throwable failure;
    private volatile boolean stopRequested;
    /** Inner boundary samples asked for ({@link #sampleEdge}) and taken; taken is guarded by {@code edgeLock} for waiting. */
    private final AtomicLong edgesAsked = new AtomicLong();
    private volatile long edgesTaken;
    private final Object edgeLock = new Object();

    private State state = State.NEW;
    private Thread thread;
    private PowerTrace trace;

    /** A sampler with the {@link #DEFAULT_PERIOD}. */
    public PowerSampler(PowerSensor sensor) {
        this(sensor, DEFAULT_PERIOD);
    }

    /**
     * @param sensor the sensor to read; stays open when the sampler is closed
     * @param period time between samples, at least {@link #MIN_PERIOD}
     * @throws IllegalArgumentException if the period is below 1 ms
     */
    public PowerSampler(PowerSensor sensor, Duration period) {
        this(sensor, period, 0);
    }

    /**
     * A sampler whose trace starts with room for {@code expectedSamples} samples, e.g. as many
     * as the last window of the same length held. Each buffered power sample of a driver's buffer
     * is a sample of its own, so eight GPUs fill over two thousand in a 5 s window; room made
     * beforehand spares the copies of every channel's arrays each time they fill. 0 or less: the
     * default room (256); at most about a million.
     */
    public PowerSampler(PowerSensor sensor, Duration period, int expectedSamples) {
        this.sensor = Objects.requireNonNull(sensor, "sensor");
        if (expectedSamples > timestamps.length) {
            timestamps = new long[Math.min(expectedSamples, MAX_EXPECTED_SAMPLES)];
        }
        this.period = Objects.requireNonNull(period, "period");
        if (period.compareTo(MIN_PERIOD) < 0) {
            throw new IllegalArgumentException("sampling period " + period.toNanos() / 1e6
                    + " ms is below the 1 ms minimum: use a period of at least 1 ms");
        }
        this.periodNanos = period.toNanos();
        int width = sensor.channels().size();
        this.scratch = new Readings(width);
        this.values = new double[width][timestamps.length];
        this.lastMeasured = new long[width];
        java.util.Arrays.fill(lastMeasured, Long.MIN_VALUE);
    }

    /** The sensor being read. */
    public PowerSensor sensor() {
        return sensor;
    }

    /** Time between samples. */
    public Duration period() {
        return period;
    }

    /**
     * Takes the first (boundary) sample on the calling thread, then starts the sampling thread.
     *
     * @throws IllegalStateException if the sampler was already started or closed, or if the first
     *                               read fails (the message names the sensor)
     */
    public synchronized void start() {
        if (state != State.NEW) {
            throw new IllegalStateException("this PowerSampler of sensor '" + sensor.id() + "' is "
                    + state.name().toLowerCase(java.util.Locale.ROOT)
                    + "; a sampler runs once: create a new one for the next window");
        }
        try {
            sensor.opensWindow();
            takeSample(true);
        } catch (RuntimeException | Error e) {
            state = State.STOPPED;
            failure = e;
            throw failed(e);
        }
        thread = new Thread(this::loop, "tpb-power-sampler-" + sensor.id());
        thread.setDaemon(true);
        state = State.RUNNING;
        thread.start();
    }

    /**
     * Stops the sampling thread, takes one last boundary sample and returns the trace. Calling it
     * again returns the same trace.
     *
     * @throws IllegalStateException if the sampler was never started or was closed first, or if
     *                               the sensor threw while sampling (message: sensor id and the
     *                               sensor's message; the sensor's exception is the cause)
     */
    public synchronized PowerTrace stop() {
        switch (state) {
            case NEW:
                throw new IllegalStateException("stop() before start() on the sampler of sensor '" + sensor.id()
                        + "': call start() when the window opens");
            case CLOSED:
                if (trace != null) {
                    return trace;
                }
                throw new IllegalStateException("the sampler of sensor '" + sensor.id()
                        + "' was closed before stop(), so it has no trace: call stop() before close()");
            case STOPPED:
                if (trace != null) {
                    return trace;
                }
                throw failed(failure);
            case RUNNING:
            default:
                break;
        }
        endThread();
        state = State.STOPPED;
        if (failure != null) {
            throw failed(failure);
        }
        try {
            sensor.closesWindow();
            takeSample(true);
        } catch (RuntimeException | Error e) {
            failure = e;
            throw failed(e);
        }
        int n = count;
        double[][] rows = new double[values.length][];
        for (int c = 0; c < rows.length; c++) {
            rows[c] = Arrays.copyOf(values[c], n);
        }
        long[][] times = null;
        if (measuredAt != null) {
            times = new long[measuredAt.length][];
            for (int c = 0; c < times.length; c++) {
                times[c] = Arrays.copyOf(measuredAt[c], n);
            }
        }
        trace = PowerTrace.adopt(sensor.channels(), Arrays.copyOf(timestamps, n), rows, times);
        timestamps = null;
        values = null;
        measuredAt = null;
        return trace;
    }

    /**
     * Ends the sampling thread if it still runs, discarding its samples. Idempotent; never throws;
     * leaves the sensor open.
     */
    @Override
    public synchronized void close() {
        if (state == State.RUNNING) {
            endThread();
        }
        state = State.CLOSED;
    }

    /**
     * Takes a boundary sample inside the window and waits until it is taken, at most
     * {@code timeout}: for an instant a result is measured from, such as an idle window's start
     * and end, where the sensor then reads what it otherwise reads only at a window's edges (every
     * GPU's energy counter, with {@code counterSchedule=boundaries}). The sample is taken on the
     * sampling thread at once, ahead of its next tick, so the sensor is still called from one
     * thread at a time. Safe to call from any thread while the sampler runs.
     *
     * <pre>{@code
     * sampler.sampleEdge(Duration.ofSeconds(2));
     * long from = System.nanoTime();   // the counter was read just before
     * Thread.sleep(2000);              // nothing in flight
     * long to = System.nanoTime();
     * sampler.sampleEdge(Duration.ofSeconds(2));  // and just after
     * }</pre>
     *
     * @return true once the sample is taken; false at once, taking nothing, for a sensor that does
     *         not {@linkplain PowerSensor#readsInnerEdges() read inner edges} or a sampler not
     *         running; false when it was not taken within the timeout (it is then still taken as
     *         soon as the sampling thread gets to it), the sampler stopped first, or the caller
     *         was interrupted (its interrupt flag is set again)
     */
    public boolean sampleEdge(Duration timeout) {
        if (!sensor.readsInnerEdges()) {
            return false;
        }
        Thread sampling;
        synchronized (this) {
            if (state != State.RUNNING) {
                return false;
            }
            sampling = thread;
        }
        long asked = edgesAsked.incrementAndGet();
        LockSupport.unpark(sampling);
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (edgeLock) {
            while (edgesTaken < asked) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || stopRequested || failure != null) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(edgeLock, Math.min(left, 10_000_000L));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return true;
    }

    /** Samples taken so far, boundary samples included. Safe to call from any thread. */
    public int sampleCount() {
        return count;
    }

    /**
     * Total nanoseconds spent inside {@link PowerSensor#sample} so far, boundary samples included;
     * divide by {@link #sampleCount()} for the cost of one read. Safe to call from any thread.
     */
    public long sensorNanos() {
        return sensorNanos;
    }

    /**
     * Of {@link #sensorNanos()}, the nanoseconds inside the reads the sampling thread made on its
     * own schedule, every period or when the sensor asked to be woken: neither the boundary samples
     * of {@link #start()} and {@link #stop()} nor the inner edges of {@link #sampleEdge}. Those are
     * taken where a caller chose an edge, with nothing of the wave running (before its first
     * request, after its last, around an idle window); these are taken while the window runs, so
     * where a read busy-waits (NVML's do) this is the sampling's CPU that competes with the engine.
     * Safe to call from any thread.
     */
    public long scheduledSensorNanos() {
        return scheduledSensorNanos;
    }

    /** What a visit of the channel's readings is told of each, newest first: true to go on, false to stop. */
    private interface ReadingVisitor {
        /**
         * @param value    the reading
         * @param trueAt   when it was true (a buffered sample's stamp), else when it was read
         * @param readAt   when the sample that holds it was taken
         */
        boolean visit(double value, long trueAt, long readAt);
    }

    /**
     * Visits the channel's readings so far, newest first, from another thread while the sampler
     * runs; none where there is no sample yet or the arrays changed under it.
     */
    private void newestFirst(int channel, ReadingVisitor visitor) {
        int n = count; // volatile: the arrays below hold every sample before n
        long[] times = timestamps;
        double[][] rows = values;
        long[][] at = measuredAt;
        if (times == null || rows == null || n == 0 || n > times.length) {
            return;
        }
        double[] row = rows[channel];
        for (int i = n - 1; i >= 0 && i < row.length; i--) {
            double v = row[i];
            if (Double.isNaN(v)) {
                continue;
            }
            long t = at != null && i < at[channel].length && at[channel][i] != Readings.AT_READ ? at[channel][i] : times[i];
            if (!visitor.visit(v, t, times[i])) {
                return;
            }
        }
    }

    /**
     * The channel's mean power over about the last {@code windowNanos} of samples, for a live
     * display while the sampler runs (another thread may call it): a watts channel's mean reading,
     * a joules channel's energy gained over the time between its first and last reading in the
     * window. NaN before there is enough to tell (one reading of a counter), or once stopped. Never
     * used for a result: those come from the trace.
     */
    public double recentWatts(int channel, long windowNanos) {
        boolean joules = sensor.channels().get(channel).kind() == PowerChannel.Kind.ENERGY_JOULES;
        long[] span = {0, 0}; // the newest reading's time, the oldest's
        double[] ends = {Double.NaN, Double.NaN}; // and their values
        double[] sum = {0};
        int[] readings = {0};
        newestFirst(channel, (v, t, read) -> {
            if (readings[0] == 0) {
                span[0] = t;
                ends[0] = v;
            } else if (span[0] - t > windowNanos) {
                return false;
            }
            span[1] = t;
            ends[1] = v;
            sum[0] += v;
            readings[0]++;
            return true;
        });
        if (!joules) {
            return readings[0] == 0 ? Double.NaN : sum[0] / readings[0];
        }
        return readings[0] < 2 || span[0] <= span[1] ? Double.NaN : (ends[0] - ends[1]) / ((span[0] - span[1]) / 1e9);
    }

    /**
     * A watts channel's mean reading over {@code [fromNanos, toNanos]}, each reading at the time it
     * was true (a buffered sample at its stamp), while the sampler runs (another thread may call
     * it); NaN for a joules channel, or without a reading in the span. For checks made while a run
     * goes on (is the idle power steady?), never for a result: those come from the trace.
     */
    public double meanWatts(int channel, long fromNanos, long toNanos) {
        if (sensor.channels().get(channel).kind() != PowerChannel.Kind.POWER_WATTS) {
            return Double.NaN;
        }
        double[] sum = {0};
        int[] readings = {0};
        newestFirst(channel, (v, t, read) -> {
            if (t - fromNanos >= 0 && toNanos - t >= 0) {
                sum[0] += v;
                readings[0]++;
            }
            // a sample read before the span holds nothing true in it (a buffered stamp is never after its fetch)
            return read - fromNanos >= 0;
        });
        return readings[0] == 0 ? Double.NaN : sum[0] / readings[0];
    }

    private void loop() {
        long next = timestamps[0] + periodNanos;
        while (!stopRequested) {
            long asked = edgesAsked.get();
            if (asked != edgesTaken) { // an inner edge (sampleEdge): a boundary sample now, ahead of the tick
                try {
                    takeSample(true);
                } catch (Throwable e) {
                    failure = e;
                    return;
                }
                synchronized (edgeLock) {
                    edgesTaken = asked;
                    edgeLock.notifyAll();
                }
                continue;
            }
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(this, wait);
                continue;
            }
            try {
                takeSample(false);
            } catch (Throwable e) {
                failure = e;
                return;
            }
            next += periodNanos;
            long behind = System.nanoTime() - next;
            if (behind >= 0) {
                next += (behind / periodNanos + 1) * periodNanos;
            }
            long idle = sensor.idleNanos();
            if (idle > 0) { // nothing to read until then: skip whole ticks, staying on the grid
                long until = System.nanoTime() + idle;
                if (until - next > 0) {
                    next += (until - next + periodNanos - 1) / periodNanos * periodNanos;
                }
            }
        }
    }

    private void takeSample(boolean boundary) {
        scratch.clear();
        long t = System.nanoTime();
        long waited = sensor.waitedNanos();
        sensor.sample(scratch, boundary);
        long spent = System.nanoTime() - t - (sensor.waitedNanos() - waited); // a sensor's parking is not reading
        int n = count;
        keep(n, t, scratch.values, scratch.measuredAt);
        n++;
        if (scratch.extraCount > 0) {
            // further readings (a driver's buffer fetched at once): a sample each, at the read's time, the other channels unread
            double[] v = new double[values.length];
            long[] at = new long[values.length];
            for (int i = 0; i < scratch.extraCount; i++) {
                Arrays.fill(v, Double.NaN);
                Arrays.fill(at, Readings.AT_READ);
                v[scratch.extraChannels[i]] = scratch.extraValues[i];
                at[scratch.extraChannels[i]] = scratch.extraTimes[i];
                keep(n, t, v, at);
                n++;
            }
        }
        sensorNanos = sensorNanos + spent;
        if (!boundary) {
            scheduledSensorNanos = scheduledSensorNanos + spent;
        }
        count = n;
    }

    /** Stores sample {@code n}: the read's time and each channel's value and, where given, when it was true. */
    private void keep(int n, long t, double[] rowValues, long[] rowTimes) {
        if (n == timestamps.length) {
            int capacity = n * 2;
            timestamps = Arrays.copyOf(timestamps, capacity);
            for (int c = 0; c < values.length; c++) {
                values[c] = Arrays.copyOf(values[c], capacity);
                if (measuredAt != null) {
                    measuredAt[c] = Arrays.copyOf(measuredAt[c], capacity);
                }
            }
        }
        timestamps[n] = t;
        for (int c = 0; c < values.length; c++) {
            long at = rowTimes[c];
            double v = rowValues[c];
            if (at != Readings.AT_READ && measuredAt == null) {
                measuredAt = new long[values.length][timestamps.length];
                for (long[] row : measuredAt) {
                    Arrays.fill(row, 0, n, Readings.AT_READ);
                }
            }
            if (at != Readings.AT_READ && !Double.isNaN(v)) {
                if (at <= lastMeasured[c]) {
                    v = Double.NaN; // the same reading again (or an older one): it says nothing new
                } else {
                    lastMeasured[c] = at;
                }
            }
            values[c][n] = v;
            if (measuredAt != null) {
                measuredAt[c][n] = at;
            }
        }
    }

    private void endThread() {
        stopRequested = true;
        LockSupport.unpark(thread);
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private IllegalStateException failed(Throwable cause) {
        String message = cause.getMessage() != null ? cause.getMessage() : cause.getClass().getName();
        return new IllegalStateException("power sensor '" + sensor.id() + "' failed after " + count
                + " samples: " + message, cause);
    }
}
