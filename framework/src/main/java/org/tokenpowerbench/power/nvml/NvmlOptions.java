package org.tokenpowerbench.power.nvml;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tokenpowerbench.UserError;
import org.tokenpowerbench.power.OptionLine;

/**
 * The options of {@code -prof nvml:...}, as the {@link NvmlSensorProvider} reads them.
 *
 * <ul>
 *   <li>{@code gpus}: which of the visible GPUs to measure, as indices into the visible set
 *       (what CUDA calls {@code cuda:0}, {@code cuda:1}, after {@code CUDA_VISIBLE_DEVICES}),
 *       e.g. {@code gpus=0,1}; {@code all} or absent: every visible GPU.</li>
 *   <li>{@code counterPeriod}: how often the energy counter's step is bracketed between window
 *       boundaries (it is always read at boundaries), rounded to whole update periods (100 ms),
 *       e.g. {@code 300ms} (the default, see {@link #DEFAULT_COUNTER_PERIOD} for why), {@code 1s}
 *       (a third of the reads, too few brackets to learn the update moments in short windows);
 *       read by {@link OptionLine#duration(String, String, String)}.</li>
 *   <li>{@code counterSchedule}: {@code auto} (the default: {@code boundaries} wherever a
 *       counter is measured, since dense hunts cost every GPU several counter reads a second),
 *       {@code dense} (a bracket every {@code counterPeriod}
 *       for the whole run), {@code adaptive} (dense only until the sensor has found the steps'
 *       phase, then one two-read bracket every {@link NvmlSensor#SPARSE_SPACING}) or
 *       {@code boundaries} (dense until the phase is found, then reads on boundaries only, placed
 *       on the learned phase); see {@link CounterSchedule} for why all of them exist. The schedule
 *       chosen is recorded as {@code nvml.counterSchedule} in {@code sensors.jsonl}.</li>
 *   <li>{@code conditionsPeriod}: how often each GPU's clock event reasons, temperature and SM
 *       clock are read between boundaries (always on boundaries), e.g. {@code 100ms} or {@code 1s}.
 *       By default 1 s on GPUs whose cumulative hold-back times the sensor reads on every
 *       boundary (NVML's perf-policy times, {@code NvmlHoldBackTimes}: every nanosecond a power or
 *       thermal limit held the clocks back is then counted, however short), else 100 ms (the
 *       reasons are then all that sees a throttle, and only at the instants they are read). What
 *       the 1 s reads can still miss: a hardware slowdown or power brake shorter than a second,
 *       which no hold-back time read here counts, and a short dip of the clock or peak of the
 *       temperature. {@link #DEFAULT_CONDITIONS_PERIOD} and {@link #HOLD_BACK_CONDITIONS_PERIOD}
 *       say why each.</li>
 *   <li>{@code power}: where each GPU's power comes from. {@code buffer} (the default): the
 *       power samples the driver keeps in its own buffer ({@code nvmlDeviceGetSamples}), each with
 *       the driver's own time stamp, fetched every {@code bufferPeriod} and on boundaries (channel
 *       {@code gpuN.power-buffer}). {@code field}: the instantaneous power field 186, read on every
 *       sample (channel {@code gpuN.power}). See {@link Power} for what each is and what was
 *       measured. A GPU whose driver does not offer the buffer, or stamps it on another clock,
 *       falls back to {@code field}, and the sensor's notes in {@code sensors.jsonl} say so.</li>
 *   <li>{@code bufferPeriod}: how often the buffer is fetched between boundaries with
 *       {@code power=buffer}. By default, with {@code boundaries} (chosen, or by {@code auto}, the
 *       default schedule), three quarters of what the driver's buffer held when the sensor opened
 *       (1.8 s for an H200's 2.4 s; {@link #learnedBufferPeriod}), shortened during the run if a
 *       fetch finds samples already gone; {@code 500ms} with the others. Given, it is kept, at most
 *       2 s, since an H200's driver keeps only about 2.4 s of samples.</li>
 *   <li>{@code closeStraddle}: with {@code counterSchedule=boundaries}, whether a window's close
 *       reads each counter once more, just after the first update predicted past the window's
 *       end, so that the counter's values on both sides of the end are known and the update that
 *       holds the end is split by the power's shape alone. {@code auto} (the default): on where the
 *       sensor reads at most {@value #AUTO_STRADDLE_COUNTERS} GPU counters; {@code on}; {@code off}.
 *       See {@link CloseStraddle} for what it costs and what it was checked against.</li>
 *   <li>{@code aimReads}: with {@code counterSchedule=boundaries} and a GPU's update phase
 *       learned, whether a boundary's counter read waits (parked, at most about 22 ms) for the
 *       part of the driver's 20 ms cycle where a read costs least, before the next predicted
 *       update. {@code on} (the default) or {@code off} (read at once). It moves no value: the
 *       read shows the same update either way. Why: a counter read busy-waits in the driver for a
 *       time that depends on when it begins against the counter's 100 ms update. In twenty-three
 *       independent counter logs (H200s and H100s, driver 580.159.04, docs/gpu-proof.md, session
 *       29) reads begun 0-10 ms after an update were held 11-16 ms, those begun in the first 7 ms
 *       of each 20 ms after it about 4-5 ms, and those begun 28-37 ms after it (and 48-57, 68-77)
 *       2.7-3.5 ms. What it saved, measured: one H100 read as eight GPUs, whose counters step
 *       together, at 5 s waves, 9.86 ms of sampling CPU a second against 10.52 with {@code off}
 *       (session 29, six forks each), and with the order of session 30, 9.32 against 9.45
 *       (session 31, three forks each: within the noise). For GPUs that step apart only the
 *       simulated driver has spoken: 25-31 % less busy-waiting for four or eight at random
 *       phases (session 30).</li>
 * </ul>
 * Other keys (such as the sampler's {@code period}) are left to their owners and ignored here.
 *
 * @param gpus          visible indices to measure, or null for all
 * @param counterPeriod   time between bracket hunts of the counter's steps on non-boundary samples
 * @param counterSchedule whether hunts stay {@code counterPeriod} apart all run, or thin out once the phase is known
 * @param conditionsPeriod time between reads of the devices' conditions on non-boundary samples;
 *                         null: by what the GPUs offer ({@link #conditionsPeriodFor})
 * @param power           where each GPU's power comes from
 * @param bufferPeriod    time between fetches of the driver's power samples with {@link Power#BUFFER};
 *                        null: the schedule's default ({@link #bufferPeriodFor})
 * @param closeStraddle   whether a window's close reads each counter again past the next update
 * @param aimReads        whether a boundary's counter read waits for the cheap part of the driver's cycle
 */
public record NvmlOptions(List<Integer> gpus, Duration counterPeriod, CounterSchedule counterSchedule,
                          Duration conditionsPeriod, Power power, Duration bufferPeriod, CloseStraddle closeStraddle,
                          boolean aimReads) {


    /** The most GPU counters {@code closeStraddle=auto} straddles closes for: 2 (see {@link CloseStraddle}). */
    public static final int AUTO_STRADDLE_COUNTERS = 2;

    /**
     * The default {@code conditionsPeriod} where the hold-back times are not read: 100 ms, the
     * period NVML refreshes its readings at, so a throttle of one update is seen.
     */
    public static final Duration DEFAULT_CONDITIONS_PERIOD = Duration.ofMillis(100);
    /**
     * The default {@code conditionsPeriod} where every measured GPU's hold-back times are read on
     * boundaries: 1 s. Between boundaries the reads then only follow temperature and clock, and the
     * sampler of a learned {@code boundaries} schedule wakes about twice a second instead of ten
     * times. On an H200 (session 14, docs/gpu-proof.md) eight GPUs' reasons every 100 ms cost
     * 0.8-1.4 ms of CPU a second and temperature and clock 0.3-0.4; a parked thread's wake costs
     * 43-113 us of CPU on the development machine.
     */
    public static final Duration HOLD_BACK_CONDITIONS_PERIOD = Duration.ofSeconds(1);
    /** The default {@code bufferPeriod}: 500 ms, a fifth of what an H200's driver buffer holds. */
    public static final Duration DEFAULT_BUFFER_PERIOD = Duration.ofMillis(500);
    /**
     * The default {@code bufferPeriod} with {@code counterSchedule=boundaries} where what the
     * driver's buffer holds is not known (it held under two samples at open): 1 s. Where it is
     * known the default is learned from it ({@link #learnedBufferPeriod}). There the
     * fetches are most of what the sampler does once the phase is learned; on an H200 eight
     * emulated GPUs cost 5.0-6.2 ms of CPU a second this way against 8.0-10.8 at 500 ms
     * (tools/nvml-crosscheck/README.md). Every sample is still fetched, each at its own stamp.
     */
    public static final Duration BOUNDARIES_BUFFER_PERIOD = Duration.ofSeconds(1);
    /** The longest {@code bufferPeriod}: 2 s, inside the about 2.4 s an H200's driver buffer holds. */
    public static final Duration MAX_BUFFER_PERIOD = Duration.ofSeconds(2);
    /**
     * The shortest {@code bufferPeriod} learned from the driver's buffer (or shortened after a
     * fetch found samples gone): 100 ms, ten wakes a second.
     */
    public static final Duration MIN_LEARNED_BUFFER_PERIOD = Duration.ofMillis(100);

    /** Options with the default {@code conditionsPeriod} and power from field 186 (not the default source: see {@link #defaults()}). */
    public NvmlOptions(List<Integer> gpus, Duration counterPeriod, CounterSchedule counterSchedule) {
        this(gpus, counterPeriod, counterSchedule, DEFAULT_CONDITIONS_PERIOD);
    }

    /** Options with power from field 186 (not the default source: see {@link #defaults()}). */
    public NvmlOptions(List<Integer> gpus, Duration counterPeriod, CounterSchedule counterSchedule,
                       Duration conditionsPeriod) {
        this(gpus, counterPeriod, counterSchedule, conditionsPeriod, Power.FIELD, DEFAULT_BUFFER_PERIOD,
                CloseStraddle.AUTO, true);
    }

    /** Options with closes straddled by the number of GPU counters ({@code closeStraddle=auto}). */
    public NvmlOptions(List<Integer> gpus, Duration counterPeriod, CounterSchedule counterSchedule,
                       Duration conditionsPeriod, Power power, Duration bufferPeriod) {
        this(gpus, counterPeriod, counterSchedule, conditionsPeriod, power, bufferPeriod, CloseStraddle.AUTO, true);
    }

    /** Options with boundary reads aimed at the cheap part of the driver's cycle ({@code aimReads=on}). */
    public NvmlOptions(List<Integer> gpus, Duration counterPeriod, CounterSchedule counterSchedule,
                       Duration conditionsPeriod, Power power, Duration bufferPeriod, CloseStraddle closeStraddle) {
        this(gpus, counterPeriod, counterSchedule, conditionsPeriod, power, bufferPeriod, closeStraddle, true);
    }

    /**
     * Whether a window's close, under {@code counterSchedule=boundaries}, reads each counter once
     * more after the first update predicted past the window's end ({@code closeStraddle}).
     *
     * <p><b>Why.</b> One read per GPU at a close gives the counter's value at the last update
     * before the read; the energy from that update to the end, and the next window's energy from
     * it to its start, then rest on the power buffer's absolute watts over up to 100 ms on a load
     * step (the wave's last tokens, then idle). With a second value just past the first update
     * after the end, the counter gives that update's energy exactly and the buffer only splits it,
     * as an independent counter log's reference does; the next window then opens from a value
     * taken in the idle gap between the two windows.
     *
     * <p><b>Checked</b> by replaying three real counter logs (docs/gpu-proof.md, session 26: an
     * H200's 1B and 8B sweeps and an H100's 1B sweep; every counter value at the update the
     * sensor's own learned grid gives it, the power from the driver's buffer the log kept). With
     * counter values on both sides of both edges, the 8B sweep's 2.1-2.3 s waves at 360-650 W,
     * which the single read put 0.36-0.50 % from the log's buffer-shaped reference, came within
     * 0.05 %; over the 24 waves of 2 s or more, worst 0.054 % against the tool's 0.503 %. As built,
     * a window's start is not straddled but opened from the value the close before took in the
     * idle gap; the logs replay that exactly only where a start came after that update (3 waves,
     * within 0.03 %). On a GPU since (sessions 27-31): session 31's four sweeps beside a counter
     * log came within 0.5 % of its buffer-shaped reference in all 16 waves with it on (worst
     * 0.155 %) and all 16 with it off (worst 0.269 %).
     *
     * <p><b>Cost.</b> One more counter read per GPU per window (about 4 ms of CPU on an H200,
     * after the wave's last request; taken 20 ms past the step, after the driver's spell that held
     * a read begun sooner for 10-15 ms more on an H100, session 28) and a wait of up to about
     * 125 ms in the sampler's {@code stop()} until the update and its spell have passed
     * (emulated, one GPU with 4 ms reads, 2 s waves, on the 2-core development machine: 5.0 ms of sampling CPU a second against 3.7 without; two GPUs
     * stepping apart, 9.5 against 6.0; eight at 5 s waves, 16.3 against 10.4;
     * {@code NvmlSamplerCost driver=emulated emulatedGpus=1 waves=2s closeStraddle=on|off}). For eight GPUs the extra reads would add about
     * 32 ms of CPU per wave, 6.4 ms a second at 5 s waves, over the 10 ms/s issue #14 allows the
     * sampler: so {@code auto} straddles only where at most {@link #AUTO_STRADDLE_COUNTERS} GPU
     * counters are read (a judgement: one- and two-GPU engines, where the extra reads cost at
     * most 8 ms a wave).
     */
    public enum CloseStraddle {
        /** {@link #ON} where at most {@link #AUTO_STRADDLE_COUNTERS} GPU counters are read, else {@link #OFF}. */
        AUTO,
        /** Every close reads each counter again past the next update. */
        ON,
        /** One read per GPU at a close (and the edge check's, near a predicted step). */
        OFF
    }

    /** Whether closes are straddled for this many GPU counters. */
    public boolean straddlesCloses(int counters) {
        return switch (closeStraddle) {
            case ON -> true;
            case OFF -> false;
            case AUTO -> counters > 0 && counters <= AUTO_STRADDLE_COUNTERS;
        };
    }

    /**
     * Where a GPU's power comes from.
     *
     * <p>Measured on an H200 (driver 580.159.04) under bf16 matmuls stepping on and off, against the
     * energy counter's 100 ms updates (tools/nvml-crosscheck/README.md): field 186 changes every
     * 100 ms and holds one instant's power, which swung between 110 and 930 W within a load
     * segment there; the buffer's samples came about every 20 ms (p1-p99 9-40 ms) and integrate to
     * each 100 ms update's energy within 1.6 J rms (field 186, 5.4 J even at its best lag). A
     * buffer fetch costs about 0.35-0.45 ms of CPU, against 2.5 µs for one field read; at the
     * default 500 ms between fetches that is under 1 ms of CPU a second, small beside the counter's
     * reads (about 4 ms each).
     *
     * <p>Why the buffer is the default: in llama-server sweeps on the H200 with the default dense
     * counter schedule (docs/gpu-proof.md), every wave of 2 s or more agreed with an independent
     * counter log within 0.5 % either way, and the buffer's waves closer: worst 0.36 % (1B shape)
     * and 0.27 % (8B) against the log's linear split, 0.08 % and 0.06 % against its buffer-shaped
     * split; field 186's, in a 1B sweep on the same machine, 0.49 % and 0.50 %.
     *
     * <p>The cheapest way to sample many GPUs: {@code -prof 'nvml:bufferPeriod=1s;counterPeriod=1000s;period=100ms'}
     * (the counter read only on boundaries, ten wake-ups a second). Eight emulated GPUs cost
     * 6-9 ms of CPU a second that way on the H200. In a JMH sweep each iteration's energy then
     * rests on its two boundary reads, each up to one 100 ms update stale, and on the buffer's
     * shape between them: 7 of 8 waves were within 0.5 % of an independent log (worst 0.90 %), each
     * inside its stated 95 % error budget of ±1.3-1.9 % (docs/gpu-proof.md). With
     * {@code counterSchedule=boundaries} (and the default 10 ms ticks, which its learning needs)
     * the boundary values sit at their update moments instead; see {@link CounterSchedule}.
     */
    public enum Power {
        /** {@code NVML_FI_DEV_POWER_INSTANT} (186), read on every sample, true at the read ({@code power=field}). */
        FIELD,
        /** {@code nvmlDeviceGetSamples(NVML_TOTAL_POWER_SAMPLES)}, fetched every {@code bufferPeriod}, each sample at the driver's stamp (the default). */
        BUFFER
    }

    /**
     * How the counter's steps are bracketed between boundaries. A counter read costs milliseconds
     * of CPU on an H200 (the driver busy-waits), so reads are what the sampler's cost is made of;
     * {@code adaptive} cuts them to about one a second per GPU once the phase is known, {@code dense}
     * keeps three brackets a second for the learner all run, and {@code boundaries} stops reading
     * between boundaries once the phase is learned (about 3 s of dense hunts at the start of a
     * run's first fork; a later fork confirms the grid the earlier one left in {@code counter-grids.jsonl}
     * with three brackets) and places each trace's boundary values on the learned grid. All stay selectable: on an
     * H200 (tools/nvml-crosscheck/README.md, docs/gpu-proof.md) {@code dense} kept 8 of 8 waves of a
     * llama-server sweep within 0.5 % of an independent counter log, {@code adaptive} 7 of 8
     * (worst 0.56 %) at a third of the CPU for one GPU, with one idle baseline 1.8 % off. Under a
     * load stepping at random every 0.3-1.7 s, with waves of 1-3.3 s, {@code boundaries} kept 12 of
     * 12 measured waves within 0.5 % of the log's buffer-shaped split (8 of 12 of its linear one, worst 0.80 %;
     * the learning warm-up 2.1 % off) at 21 ms of CPU a second against 84 for {@code dense} in the
     * same setting; the same waves with values left at their reads were up to 7.7 % off. On
     * llama-server sweeps (1B and 8B shapes, batch 8 and 64) {@code boundaries} kept 16 of 16 waves
     * within 0.5 % of the log (worst 0.47 % linear, 0.10 % buffer-shaped). Once learned, its
     * sampler cost one GPU 3.8 ms of CPU a second and eight emulated GPUs 9.5 ms/s with the buffer
     * fetched every 500 ms, 5.0-6.2 ms/s every second (now its default), not counting
     * the learning (2-5 s of CPU per fork for eight) or each boundary's counter read (about 4 ms per GPU).
     * {@code auto}, the default, runs {@code boundaries} wherever a counter is read, one GPU or
     * eight. Until 2026-12-05 it ran {@code dense} for one GPU, which cost 4-6 % of a core there
     * (40-61 ms of CPU a second on an H200), waiting on a GPU check of the grid a later fork
     * confirms: that check passed (forks 2 and 3 of three runs started from the grid before, with
     * three brackets each), and {@code boundaries} kept 8 of 8 waves within 0.5 % on llama-server
     * sweeps of both shapes, as {@code dense} did on the 1B shape (docs/gpu-proof.md). What
     * {@code dense} still buys is energy between boundaries: a window that opens or closes seconds
     * from any counter read (a steady-state window, a request's phases) rests on the power's shape
     * there, and its error budget's shape term says how far; {@code counterSchedule=dense} anchors
     * such windows to a counter value every 300 ms.
     */
    public enum CounterSchedule {
        /**
         * {@link #BOUNDARIES} wherever the sensor reads an energy counter, {@link #DENSE} (which then
         * hunts nothing) where it reads none ({@link #scheduleFor}). Dense hunts cost each GPU eight
         * to ten counter reads a second (about 4 ms of CPU each on an H200): 40-84 ms of CPU a
         * second for one GPU and 464 for eight emulated ones with 300 ms hunts.
         */
        AUTO,
        /** A bracket hunt every {@code counterPeriod}, all run. */
        DENSE,
        /** Dense until the phase is learned, then one bracket every {@link NvmlSensor#SPARSE_SPACING} aimed at the predicted step. */
        ADAPTIVE,
        /**
         * Dense until the phase is learned (about 3 s, once per fork), then the counter is read only
         * on boundaries (and their edge checks); each trace's values are placed on the learned grid
         * ({@link org.tokenpowerbench.energy.CounterGrid}). With power from the driver's buffer the
         * sampler then wakes only when the conditions or the buffer are due (every 100 ms by default,
         * {@link NvmlSensor#idleNanos()}), not on every tick. The cheapest schedule with counter values
         * at their update moments.
         */
        BOUNDARIES
    }

    /**
     * The default {@code counterPeriod}: 300 ms, so that a second of trace holds three tight
     * brackets of the counter's steps, what {@link org.tokenpowerbench.energy.CounterUpdates}
     * needs to learn their moments (it needs three at least, within two seconds of each other).
     * Each bracket costs two or three counter reads (about 2.4 once the phase is known and hunts are
     * aimed at it), eight to ten reads a second per GPU. (Measured on an H200,
     * driver 580.159.04, at 100 Hz sampling: a counter read cost 3-14 ms of CPU there; one read a
     * second cost 1.3 % of a core per GPU. Use {@code counterPeriod=1s} where that matters more than
     * the timing of each joule.)
     */
    public static final Duration DEFAULT_COUNTER_PERIOD = Duration.ofMillis(300);

    public NvmlOptions {
        gpus = gpus == null ? null : List.copyOf(gpus);
        if (counterPeriod == null || counterPeriod.isNegative()) {
            throw new IllegalArgumentException("counterPeriod must be zero or more, got " + counterPeriod);
        }
        if (counterSchedule == null) {
            throw new IllegalArgumentException("counterSchedule must be given");
        }
        if (conditionsPeriod != null && conditionsPeriod.isNegative()) {
            throw new IllegalArgumentException("conditionsPeriod must be zero or more, got " + conditionsPeriod);
        }
        if (power == null) {
            throw new IllegalArgumentException("power must be given");
        }
        if (bufferPeriod != null && (bufferPeriod.isNegative() || bufferPeriod.compareTo(MAX_BUFFER_PERIOD) > 0)) {
            throw new IllegalArgumentException("bufferPeriod must be 0 to " + MAX_BUFFER_PERIOD.toMillis() + " ms, got " + bufferPeriod);
        }
        if (closeStraddle == null) {
            throw new IllegalArgumentException("closeStraddle must be given");
        }
    }

    /** Every visible GPU, the counter schedule by their number ({@code auto}), power from the driver's buffer. */
    public static NvmlOptions defaults() {
        return new NvmlOptions(null, DEFAULT_COUNTER_PERIOD, CounterSchedule.AUTO, null, Power.BUFFER, null,
                CloseStraddle.AUTO, true);
    }

    /**
     * The {@code conditionsPeriod} given, else {@link #HOLD_BACK_CONDITIONS_PERIOD} (1 s) where every
     * measured GPU's hold-back times are read on boundaries and {@link #DEFAULT_CONDITIONS_PERIOD}
     * (100 ms) where any GPU's are not.
     */
    public Duration conditionsPeriodFor(boolean holdBackTimesEverywhere) {
        if (conditionsPeriod != null) {
            return conditionsPeriod;
        }
        return holdBackTimesEverywhere ? HOLD_BACK_CONDITIONS_PERIOD : DEFAULT_CONDITIONS_PERIOD;
    }

    /**
     * The schedule the sensor runs for this many GPUs with an energy counter: {@code auto} becomes
     * {@code boundaries} where there is a counter to read and {@code dense} where there is none
     * (power only: nothing is hunted); any other is kept.
     */
    public CounterSchedule scheduleFor(int counters) {
        if (counterSchedule != CounterSchedule.AUTO) {
            return counterSchedule;
        }
        return counters > 0 ? CounterSchedule.BOUNDARIES : CounterSchedule.DENSE;
    }

    /** The {@code bufferPeriod} given, else the schedule's default: 1 s with {@code boundaries}, 500 ms otherwise. */
    public Duration bufferPeriodFor(CounterSchedule schedule) {
        return bufferPeriodFor(schedule, null);
    }

    /**
     * The {@code bufferPeriod} given; else, with {@code boundaries}, three quarters of what the
     * driver's buffer was seen to hold ({@link #learnedBufferPeriod}), or 1 s where that is not
     * known; else 500 ms.
     *
     * @param held how much time the driver's buffer held when the sensor opened (the least over
     *             the GPUs), or null where it is not known
     */
    public Duration bufferPeriodFor(CounterSchedule schedule, Duration held) {
        if (bufferPeriod != null) {
            return bufferPeriod;
        }
        if (schedule != CounterSchedule.BOUNDARIES) {
            return DEFAULT_BUFFER_PERIOD;
        }
        return held == null ? BOUNDARIES_BUFFER_PERIOD : learnedBufferPeriod(held);
    }

    /**
     * The time between fetches for a driver buffer that holds {@code held}: three quarters of it,
     * at least {@link #MIN_LEARNED_BUFFER_PERIOD} and at most {@link #MAX_BUFFER_PERIOD}. The
     * quarter left over is the sampler's room to be late (an H200 holds about 2.4 s, so 1.8 s,
     * with 0.6 s to spare) before a fetch finds samples gone. At 5 s waves that is three fetches
     * a wave, the close's included, where 1 s made five.
     */
    public static Duration learnedBufferPeriod(Duration held) {
        long quarters = held.toNanos() / 4 * 3;
        return Duration.ofNanos(Math.max(MIN_LEARNED_BUFFER_PERIOD.toNanos(), Math.min(MAX_BUFFER_PERIOD.toNanos(), quarters)));
    }

    /**
     * Reads the options, as {@code -prof nvml:...} passes them on.
     *
     * @throws UserError naming the key, the value and what is accepted
     */
    public static NvmlOptions parse(Map<String, String> options) {
        OptionLine line = new OptionLine("-prof nvml", options);
        List<Integer> gpus = null;
        String g = line.get("gpus", "all").strip();
        if (!g.equalsIgnoreCase("all")) {
            gpus = new ArrayList<>();
            for (String part : g.split(",")) {
                String p = part.strip();
                if (!p.matches("[0-9]{1,6}")) {
                    throw new UserError(line.owner() + ": gpus=" + g + ": '" + p + "' is not a GPU index;"
                            + " use indices into the visible GPUs such as gpus=0,1, or gpus=all");
                }
                int index = Integer.parseInt(p);
                if (gpus.contains(index)) {
                    throw new UserError(line.owner() + ": gpus=" + g + " names GPU " + index + " twice;"
                            + " name each GPU once");
                }
                gpus.add(index);
            }
        }
        String schedule = line.get("counterSchedule", "auto").strip();
        CounterSchedule counterSchedule = switch (schedule.toLowerCase(java.util.Locale.ROOT)) {
            case "auto" -> CounterSchedule.AUTO;
            case "dense" -> CounterSchedule.DENSE;
            case "adaptive" -> CounterSchedule.ADAPTIVE;
            case "boundaries" -> CounterSchedule.BOUNDARIES;
            default -> throw new UserError(line.owner() + ": counterSchedule=" + schedule
                    + " is not a schedule; use counterSchedule=auto, dense, adaptive or boundaries");
        };
        String p = line.get("power", "buffer").strip();
        Power power = switch (p.toLowerCase(java.util.Locale.ROOT)) {
            case "field" -> Power.FIELD;
            case "buffer" -> Power.BUFFER;
            default -> throw new UserError(line.owner() + ": power=" + p
                    + " is not a power source; use power=buffer (the driver's own samples, the default) or"
                    + " power=field (field 186 on every sample)");
        };
        Duration bufferPeriod = line.duration("bufferPeriod", null); // null: the schedule's default, once it is known
        if (bufferPeriod != null && bufferPeriod.compareTo(MAX_BUFFER_PERIOD) > 0) {
            throw new UserError(line.owner() + ": bufferPeriod=" + line.get("bufferPeriod", "") + " is longer than the "
                    + MAX_BUFFER_PERIOD.toMillis() + " ms the driver's buffer is known to hold (about 2.4 s on an H200),"
                    + " so samples would be lost between fetches; use bufferPeriod=500ms or anything up to 2s");
        }
        String straddle = line.get("closeStraddle", "auto").strip();
        CloseStraddle closeStraddle = switch (straddle.toLowerCase(java.util.Locale.ROOT)) {
            case "auto" -> CloseStraddle.AUTO;
            case "on" -> CloseStraddle.ON;
            case "off" -> CloseStraddle.OFF;
            default -> throw new UserError(line.owner() + ": closeStraddle=" + straddle
                    + " is not a setting; use closeStraddle=auto (on for up to " + AUTO_STRADDLE_COUNTERS
                    + " GPU counters, the default), on or off");
        };
        String aim = line.get("aimReads", "on").strip();
        boolean aimReads = switch (aim.toLowerCase(java.util.Locale.ROOT)) {
            case "on" -> true;
            case "off" -> false;
            default -> throw new UserError(line.owner() + ": aimReads=" + aim
                    + " is not a setting; use aimReads=on (a boundary's counter read waits up to about 22 ms for"
                    + " the cheap part of the driver's cycle, the default) or aimReads=off (it reads at once)");
        };
        return new NvmlOptions(gpus, line.duration("counterPeriod", DEFAULT_COUNTER_PERIOD), counterSchedule,
                line.duration("conditionsPeriod", null), power, bufferPeriod, closeStraddle, aimReads); // null: by what the GPUs offer
    }
}
