package org.tokenpowerbench.power.nvml;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.tokenpowerbench.energy.CounterGrid;
import org.tokenpowerbench.energy.CounterUpdates;
import org.tokenpowerbench.power.DeviceCondition;
import org.tokenpowerbench.power.Method;
import org.tokenpowerbench.power.PowerChannel;
import org.tokenpowerbench.power.PowerSensor;
import org.tokenpowerbench.power.Readings;
import org.tokenpowerbench.power.Scope;
import org.tokenpowerbench.power.SensorUnavailableException;
import org.tokenpowerbench.power.nvml.NvmlMetadata.Gpu;
import org.tokenpowerbench.power.nvml.NvmlMetadata.PowerSource;

/**
 * Power and energy of NVIDIA GPUs through NVML.
 *
 * <p>Channels, per measured GPU {@code N} (its index among the visible GPUs; the channel's
 * device is the GPU's UUID):
 * <ul>
 *   <li>{@code gpuN.counter}: {@link PowerChannel.Kind#ENERGY_JOULES}, {@link Method#COUNTER},
 *       from {@code nvmlDeviceGetTotalEnergyConsumption} (mJ, converted to joules since the
 *       sensor opened). The counter advances in steps (every 100 ms on an H200) and a read shows
 *       the latest step, so {@link org.tokenpowerbench.energy.CounterUpdates} learns the steps'
 *       moments from reads that <em>bracket</em> a step closely. The sensor therefore reads it on
 *       every boundary sample and, between boundaries, in <em>bracket hunts</em>: one read shortly
 *       before the next expected step (from the last step seen), then one read per sample until
 *       the value changes (usually two or three reads; at most {@value #MAX_HUNT_READS}), one hunt
 *       every {@link NvmlOptions#counterPeriod()} (default 300 ms, ≥ 3 tight brackets a second).
 *       Unchanged values between hunts are never read, so what is stored is the bracketing reads
 *       and the boundaries. A read costs milliseconds of CPU on some drivers, so at most one hunt
 *       <em>starts</em> per sample (starting every due one made eight GPUs learn more slowly, see
 *       docs/gpu-proof.md); unread samples hold {@link Double#NaN}. Each read keeps the time it
 *       began, which lies milliseconds after the sample's own time for every GPU read after another.
 *       The sensor also follows the steps' phase itself (the intersection of its tight brackets
 *       moved onto one another by whole update periods, never narrower than the steps' scatter);
 *       once {@value #LEARNED_BRACKETS} brackets agree on it within {@value #PHASE_TOLERANCE_MS} ms,
 *       each hunt starts at the last sample before the predicted step, so that the next sample,
 *       just after it, usually ends the hunt: about two reads a bracket instead of three. With
 *       {@code counterSchedule=adaptive} it then also hunts only every {@link #SPARSE_SPACING}. A
 *       hunt that finds the step outside the prediction goes back to unaimed hunts, every
 *       {@code counterPeriod}, until the phase is learned again. A sensor handed an earlier
 *       fork's grid ({@link #startFrom}) knows the phase after {@value #CONFIRMING_BRACKETS} brackets
 *       that agree with it. A boundary read within
 *       {@link #EDGE_ZONE_NANOS} of a predicted step starts an edge check (see {@code checkEdge}).
 *       With {@code counterSchedule=boundaries}, a window's opening sample gives the reads that
 *       closed the window before (the boundary read, and its edge check's reads where it had one)
 *       instead of reading again, when they settled which side of a step the value lies and began
 *       no more than {@link #CARRY_REACH_NANOS} before ({@link #opensWindow}).
 *       Absent when the GPU has no counter.</li>
 *   <li>{@code gpuN.power-buffer} ({@code power=buffer}, the default): {@link PowerChannel.Kind#POWER_WATTS},
 *       {@link Method#SAMPLED}, the samples the driver keeps in its own buffer
 *       ({@code nvmlDeviceGetSamples}, about every 20 ms on an H200), fetched every
 *       {@link NvmlOptions#bufferPeriod()} and on boundary samples, each placed at the driver's
 *       stamp (wall-clock microseconds, moved onto {@link System#nanoTime()}'s clock by the offset
 *       between the two clocks measured at each fetch). With {@code power=field}, or where the
 *       driver keeps no buffer, {@code gpuN.power} instead: the instantaneous power field
 *       {@code NVML_FI_DEV_POWER_INSTANT} (186), read on every sample; or, where that field is
 *       not supported, {@code gpuN.power-avg1s} from {@code nvmlDeviceGetPowerUsage}, which newer
 *       GPUs average over one second.</li>
 * </ul>
 * A failed read (a GPU lost mid-run, say) writes NaN and is counted in {@link #readErrors()}.
 * {@link #metadata()} records names, UUIDs, versions, power limits and which readings worked.
 *
 * <p>Not thread-safe: one sampler thread calls {@link #sample}. {@link #close()} calls
 * {@code nvmlShutdown}.
 */
public final class NvmlSensor implements PowerSensor {

    /** How often NVML refreshes power and energy on current GPUs (measured on an H200). */
    public static final Duration UPDATE_PERIOD = Duration.ofMillis(100);

    private static final int[] INSTANT = {NvmlFields.POWER_INSTANT};
    /** A hunt that saw no change after this many reads (a counter that stalled) gives up until the next. */
    static final int MAX_HUNT_READS = 15;
    /** How long before the expected step a hunt's first read is due, beyond one sample gap. */
    private static final long HUNT_LEAD_NANOS = 15_000_000L;
    /** Consistent tight brackets after which the adaptive schedule trusts its phase (≈ 3 s of dense hunts). */
    static final int LEARNED_BRACKETS = 10;
    /** The widest phase interval the adaptive schedule aims two reads at: about one sample gap at 70-100 Hz. */
    static final int PHASE_TOLERANCE_MS = 15;
    /**
     * Time between the adaptive schedule's hunts once the phase is known: 19 update periods, so
     * each bracket still has a neighbour inside {@link org.tokenpowerbench.energy.CounterUpdates#NEIGHBOURHOOD_NANOS}
     * (2 s) to sharpen its phase, at two reads per 1.9 s (≈ 1 read a second per GPU).
     */
    public static final Duration SPARSE_SPACING = UPDATE_PERIOD.multipliedBy(19);
    /** A bracket no wider than this holds one step (what CounterUpdates calls tight). */
    private static final long TIGHT_NANOS = UPDATE_PERIOD.toNanos() / 2;
    /**
     * How far beyond a predicted step's phase interval (itself ± {@code STEP_SCATTER_NANOS} about
     * the step) a boundary read must fall for the sensor to check which side of the step it was
     * on: 4 ms, so reads within about ±8 ms of a predicted step are checked. On an H200 (driver
     * 580.159.04) two independent counter logs, 655 and 628 updates located to about ±3.5 ms
     * each, put 3 and 2 updates more than 8 ms from a 100 ms grid fitted to them, and 1 each more
     * than 12 ms (one 16-20 ms early): an unchecked boundary read lands between such an update and
     * its grid moment about 2.3 times in 10,000 with this zone, 1.2 with the 8 ms it was until
     * session 12 (the logs' residuals beyond the zone, averaged over the 100 ms period). Every
     * check costs 1-4 reads of about 4 ms, on every GPU whose read falls in the zone.
     */
    static final long EDGE_ZONE_NANOS = 4_000_000L;
    /**
     * How far before the newest sample already fetched a boundary's fetch of the driver's buffer
     * reaches (µs): two update periods and more, so a trace always holds the power from before its
     * first counter value's update moment, up to 100 ms before its first read.
     */
    static final long BOUNDARY_REACH_MICROS = 250_000L;
    /** Tight brackets kept per GPU for its grid ({@link #counterGrids()}): about 40 s of dense hunts. */
    static final int KEPT_BRACKETS = 128;
    /** How far back those brackets may reach: a minute, over which a period 0.001 % off moves a step 0.6 ms. */
    static final long GRID_REACH_NANOS = 60_000_000_000L;
    /**
     * How recent a counter read may be for a window's opening sample to give it instead of reading
     * again ({@code counterSchedule=boundaries}, {@link #opensWindow}): one update period. JMH leaves
     * about 20-50 ms between a wave's closing sample and the next one's opening (19-51 ms in a
     * llama-server run on an H200), so a wave usually opens with the reads that closed the one
     * before, and eight GPUs save eight reads of about 4 ms each (more where a close was edge-checked).
     */
    static final long CARRY_REACH_NANOS = UPDATE_PERIOD.toNanos();
    /** The least time between two reads of one boundary's edge check ({@code counterSchedule=boundaries}). */
    static final long EDGE_READ_SPACING_NANOS = 2_000_000L;
    /** How far an H200's counter steps scatter around their grid (about ±3 ms), with room to spare. */
    private static final long STEP_SCATTER_NANOS = 4_000_000L;
    /**
     * How far each counter update scatters about its grid, 1 σ ({@link #counterScatterNanos}): no
     * fitted update moment claims less, since ten brackets can under-estimate it (fits said 0.03 ms
     * against a fake driver's 1.15 ms, and ±0.01 ms on an H200). On an H200 (driver 580.159.04)
     * the update moments an independent log placed to ±0.5 ms scattered about a 100 ms grid fitted
     * over 65 s by 2.1 ms (σ, 655 updates, an occasional late update included; docs/gpu-proof.md).
     */
    static final double UPDATE_SCATTER_NANOS = 2_100_000.0;
    /**
     * A counter read that shows a new value and took longer than this is dated as its call began,
     * not as it returned ({@link #valueInstant}). On the H100s of session 28 (driver 580.159.04),
     * the driver holds every read begun in the first ~16 ms after a counter step until 16-20 ms
     * after it (in fourteen independent logs of sessions 27-28, 96-100 % of the reads begun 4-10 ms
     * after a step were held more than 10 ms, against 0.2-1.0 % of the others; unheld reads took
     * 2.4-5.9 ms; session 26's two H200 logs show the same, 95.9 and 99.9 %). Where the learned
     * grid puts an update inside the call, the read may have begun before it and is dated as it
     * returned instead ({@link #predictsUpdateWithin}). A hunt's read after a step mostly begins in that
     * spell; dated as it returned, its bracket reached 16-20 ms past the step, a trace's learned
     * update moments (the middle of its brackets' intersection) came about 7 ms late, and a wave
     * closed by a read that returned 3 ms after a step lost that step to the wave before: 40 J,
     * +4.2 % of a 2.5 s wave. Such a read began after the step, so its value was fresh as it
     * began. Twice a usual read's 4 ms.
     */
    static final long SLOW_CHANGED_READ_NANOS = 8_000_000L;
    /**
     * The driver's own cycle in what a counter read costs: 20 ms, the period of its power samples.
     * In seventeen independent counter logs (H200s and H100s, sessions 25-28; read_cost.py), reads
     * begun 20-26 ms after an update's centre, and 20, 40 and 60 ms after that, took 3.9-5.2 ms on
     * average, and those begun 28-37 ms after it (and 48-57, 68-77) 2.7-3.5 ms; those begun in the
     * first 10 ms were held in the spell ({@link #SLOW_CHANGED_READ_NANOS}) for 11-16 ms. With
     * {@code aimReads} a boundary's read is begun in such a cheap part ({@link #aimedReadStart}).
     */
    static final long DRIVER_CYCLE_NANOS = 20_000_000L;
    /**
     * Where after a predicted update's centre the first cheap part of the driver's cycle begins:
     * 30 ms, past the spell (reads begun up to about 15 ms after the update are held until 16-20 ms
     * after it) and past the cycle's costly 20-27 ms, with two milliseconds to spare for a learned
     * centre off by as much (a fake driver's phase, learned from 4 ms reads, lay up to 2 ms early).
     * {@code closeStraddle}'s read is taken here.
     */
    static final long CHEAP_READ_FROM_NANOS = 30_000_000L;
    /**
     * How long each cheap part of the cycle is aimed at: 6 ms (30-36, 50-56 and 70-76 ms after an
     * update's centre; the logs' cheap parts ran 28-37 ms), room for three reads of about 3 ms.
     */
    static final long CHEAP_READ_SPAN_NANOS = 6_000_000L;
    /**
     * What an aimed read is allowed to take: 5 ms, above an unheld read's 90th percentile (2.5-4.5 ms in
     * the logs), so that it returns before the next predicted update's edge zone and needs no edge check.
     */
    static final long READ_ALLOWANCE_NANOS = 5_000_000L;
    /**
     * How far past a boundary's start its aimed reads may begin: 60 ms. The next window opens about
     * 20 ms after a close ends (JMH's pause between iterations) and carries a close's value only if
     * it was read at most {@link #CARRY_REACH_NANOS} before; without a reach the waits of several GPUs
     * whose updates lie apart added up (on the fake driver, four and eight GPUs 37 ms apart: closes of
     * 68 and 117 ms, and 16 and 27 reads again at the next openings, against 4 and 8 read at once).
     * A GPU whose next cheap part begins later is read at once, or as the spell ends if it is in one.
     */
    static final long AIM_REACH_NANOS = 60_000_000L;
    /**
     * Where after an update's centre the driver's spell has passed: 17 ms. Reads begun 17-19 ms after
     * an update took 3.5-3.7 ms in session 29's counter log beside the 8B sweep ({@code read_cost.py
     * --bins}), those begun in its first 10 ms 9-16 ms.
     */
    static final long SPELL_END_NANOS = 17_000_000L;
    /** What {@link #readRaw} gives for a failed read (a counter's millijoules are never negative). */
    private static final long READ_FAILED = Long.MIN_VALUE;
    /** Tight brackets that must agree with an earlier fork's grid before its phase counts as known. */
    static final int CONFIRMING_BRACKETS = 3;
    /** How far an earlier fork's grid may have drifted per second since (the H200's period is 8 ppm off nominal): 20 ppm. */
    private static final double GRID_DRIFT_PER_SECOND = 20e-6;
    /** Grids older than this are not used: by then they may have drifted past the phase tolerance. */
    static final long GRID_MEMORY_NANOS = 5L * 60 * 1_000_000_000L;

    /**
     * How far the driver's newest buffered sample may be stamped from the host's wall clock when the
     * sensor opens (on an H200 it was 11 ms ahead to 20 ms behind); further means the stamps are on
     * some other clock, and the buffer is not used.
     */
    static final long MAX_STAMP_SKEW_NANOS = 5_000_000_000L;
    /** A fetch whose oldest sample follows the newest kept by more than this many usual spacings found samples gone. */
    static final int LOSS_SPACINGS = 5;
    /** ... and by more than this (100 ms; an H200's spacing was at most 49 ms in 6,800 samples). */
    static final long MIN_LOSS_MICROS = 100_000L;
    /** Room for one buffer fetch: an H200's driver holds about 120 samples. */
    private static final int BUFFER_ROOM = 512;

    private final NvmlLibrary library;
    private final LongSupplier nanoClock;
    /** The host's wall clock in nanoseconds since the epoch: the clock the driver stamps its buffered samples with. */
    private final LongSupplier wallClock;
    /** Time between buffer fetches off boundaries; a learned one ({@link #learnedBufferPeriod}) is shortened where samples were lost. */
    private long bufferPeriodNanos;
    /** Whether {@link #bufferPeriodNanos} was learned from the driver's buffer (not given), and so may be shortened. */
    private final boolean learnedBufferPeriod;
    /** What the driver's buffer held at open (the least over the GPUs), or null where unknown. */
    private final Duration bufferHeld;
    /** The driver's usual spacing between buffered samples, from the open's fetch (20 ms on an H200); 0 where unknown. */
    private final long bufferSpacingMicros;
    /** Fetches that found samples gone since the one before ({@link #bufferLosses()}), and the time lost in all. */
    private long bufferLosses;
    private long bufferLostMicros;
    /** {@link #lastFetchEnd} when the period was last shortened: once a round of fetches. */
    private long shortenedAfter = Long.MIN_VALUE + 1;
    private long nextBufferFetch = Long.MIN_VALUE;
    private final long[] bufferTimes = new long[BUFFER_ROOM];
    private final double[] bufferMilliwatts = new double[BUFFER_ROOM];
    /** The channel values of {@link #sample(double[], boolean)}, when called through {@link #sample(Readings, boolean)}. */
    private double[] scratch;
    /**
     * Per channel, when its latest counter read began. A sample reads the GPUs' counters one after
     * another, each busy-waiting about 4 ms on an H200, so with eight GPUs the last read begins some
     * 30 ms after the sample's own time: each value, and each hunt's bracket, keeps its own read's time.
     */
    private final long[] counterReadAt;
    /** Time between bracket hunts: the counter period, rounded to whole update periods (at least one). */
    private final long huntSpacingNanos;
    private final boolean adaptive;
    /** {@code counterSchedule=boundaries}: no hunts between boundaries once the phase is known. */
    private final boolean boundariesOnly;
    private long lastSample = Long.MIN_VALUE;
    /** The next boundary sample opens a window ({@link #opensWindow}). */
    private boolean opening;
    /** Counter values windows' opening samples gave from the reads before instead of reading. */
    private long carriedReads;
    /** The sample under way opens a window ({@link #opensWindow}); read by {@link #sample(Readings, boolean)}. */
    private boolean openedNow;
    /** {@code closeStraddle}: a window's close reads each counter again past its next update ({@link #straddleClose}). */
    private final boolean straddle;
    /** The next boundary sample closes a window ({@link #closesWindow}). */
    private boolean closing;
    /** The sample under way closes a window, and when it began (the window's end). */
    private boolean closedNow;
    private long closeEdge;
    /** Counter reads closes took past the next update ({@link #straddleClose}). */
    private long straddleReads;
    /** Counter reads dated as their calls began ({@link #SLOW_CHANGED_READ_NANOS}). */
    private long slowChangedReads;
    /** Held reads with a new value dated as they returned: the learned phase put an update inside the call. */
    private long heldAcrossUpdates;
    /** Boundary reads that waited for a cheap part of the driver's cycle ({@link #aimedReadStart}). */
    private long aimedWaits;
    /** {@code aimReads}: a boundary's counter read is begun in a cheap part of the driver's cycle. */
    private final boolean aimReads;
    /** The order GPUs are read in on a boundary: by when each one's aimed read is due. */
    private final int[] order;
    private final long[] orderKey;
    /** Nanoseconds parked inside samples ({@link #waitedNanos}). */
    private long waitedNanos;
    /** The latest moment this boundary's aimed reads may begin ({@link #AIM_REACH_NANOS}); set at each boundary. */
    private long aimLatest;
    /** How the sensor waits inside a sample: parks the thread (a test moves its fake clock instead). */
    private java.util.function.LongConsumer parker = LockSupport::parkNanos;
    /** When the last fetch of the driver's buffers ended (nanoClock), {@code Long.MIN_VALUE} before the first. */
    private long lastFetchEnd = Long.MIN_VALUE;
    /** Buffer fetches that windows' opening samples answered from the samples already fetched ({@link #opensWindow}). */
    private long replayedFetches;
    /** Inside {@link #sample(Readings, boolean)}, which can hand on several values a channel (a carried edge check's). */
    private boolean readingsCall;
    private final List<PowerChannel> channels;
    private final GpuState[] gpus;
    private final NvmlMetadata metadata;
    private long readErrors;
    private String lastError;
    private boolean closed;
    /** How often the devices' conditions (clock event reasons, temperature, clock) are read between boundaries. */
    private final long conditionsPeriodNanos;
    /** Conditions and a buffer fetch due within this of each other are taken in one wake ({@link #idleNanos}). */
    private final long coalesceNanos;
    private static final long MAX_COALESCE_NANOS = 100_000_000L;
    private final List<DeviceCondition> conditions = new ArrayList<>();
    private long nextConditions = Long.MIN_VALUE;
    /** Whether this GPU's conditions can be read at all (turned off after the first refusal). */
    private boolean conditionsOffered = true;
    private String conditionsRefusal;

    /** Per-GPU reading state; channel index -1 means the channel is absent. */
    private static final class GpuState {
        final NvmlDeviceHandle handle;
        final PowerSource powerSource;
        final CumulativeEnergy energy;
        String uuid = "";
        /**
         * The fields of the GPU's cumulative hold-back times, read on boundaries ({@link NvmlHoldBackTimes#probe}),
         * or null where they are not read.
         */
        int[] holdBackFields;
        int counterChannel = -1;
        int powerChannel = -1;
        /** When the next bracket hunt's first read is due. */
        long nextCounterRead;
        /** Whether a bracket hunt is under way: read at every sample until the value changes. */
        boolean hunting;
        /** The raw value of the hunt's first read, and the reads the hunt has taken. */
        long huntReference;
        int huntReads;
        /** When the hunt's previous read was taken (its bracket's lower end once the value changes). */
        long lastHuntRead;
        /** One step lies in (phaseLow, phaseHigh], from the consistent tight brackets so far (both schedules follow it). */
        long phaseLow;
        long phaseHigh;
        int consistentBrackets;
        /** Whether {@link #LEARNED_BRACKETS} brackets agree on the phase within {@link #PHASE_TOLERANCE_MS}. */
        boolean phaseKnown;
        /** An edge check (a hunt begun at a boundary read near a predicted step) ends unchanged after this instant. */
        long huntUntil = Long.MAX_VALUE;
        /** The raw value of the last counter read, and whether there was one. */
        long lastRaw;
        boolean rawSeen;
        /**
         * The reads of the last boundary (its read, then its edge check's, each at its own time) and
         * the joules they gave, for the next window's opening sample ({@link #carries}).
         */
        final long[] closeAt = new long[MAX_HUNT_READS + 3];
        final double[] closeJoules = new double[MAX_HUNT_READS + 3];
        int closeReads;
        /**
         * Whether those reads settle which step the value belongs to: the boundary read lay clear of
         * every predicted step (the phase known), or its edge check saw the value change or the step
         * pass. Any other read (a hunt's, a failed one) clears the record.
         */
        boolean closeSettled;
        /** How many of the close's reads this sample gave again; {@link #sample(Readings, boolean)} adds all but the first. */
        int carriedNow;
        /** The latest tight brackets (in time order, a ring of {@link #KEPT_BRACKETS}), for {@link #counterGrids()}. */
        /** The clocks' offset the newest buffered sample was placed with. */
        long lastBufferOffset;
        final long[] bracketLo = new long[KEPT_BRACKETS];
        final long[] bracketHi = new long[KEPT_BRACKETS];
        int brackets;
        /** {@code counterSchedule=boundaries}: this boundary's read lay near a predicted step; {@link #settleEdge} reads on. */
        boolean edgePending;
        /** Until when {@link #settleEdge} reads on, and when the read it starts from was taken. */
        long edgeUntil;
        long edgeFrom;
        /**
         * The learned grid's update moment ({@link #updateCentre}) and the bracket count it was fitted
         * at; {@code Long.MIN_VALUE}: no grid.
         */
        long gridAnchor = Long.MIN_VALUE;
        int gridBrackets = -1;
        /** {@link #straddleClose}: when its read is due ({@code Long.MIN_VALUE}: none). */
        long straddleDue = Long.MIN_VALUE;
        /** When the value of the last {@link #readRaw} was true ({@link #valueInstant}). */
        long valueAt;
        /** The driver's stamp of the newest buffered power sample kept (microseconds), 0 before the first. */
        long lastBufferStamp;
        /**
         * The buffered samples fetched so far that lie within {@link #BOUNDARY_REACH_MICROS} of the
         * newest (stamp, time given, watts), in stamp order: what a boundary's fetch would have
         * fetched again, kept so that a window's opening can give them without a fetch.
         */
        final long[] recentStamp = new long[BUFFER_ROOM];
        final long[] recentAt = new long[BUFFER_ROOM];
        final double[] recentWatts = new double[BUFFER_ROOM];
        int recent;
        /** Whether the next hunt aims at the predicted step (target) rather than starting at nextCounterRead (once the phase is known). */
        boolean aimed;
        long targetLow;
        long targetHigh;

        GpuState(NvmlDeviceHandle handle, PowerSource powerSource, CumulativeEnergy energy, long firstDue) {
            this.handle = handle;
            this.powerSource = powerSource;
            this.energy = energy;
            this.nextCounterRead = firstDue;
        }
    }

    private NvmlSensor(NvmlLibrary library, LongSupplier nanoClock, LongSupplier wallClock, NvmlOptions options,
                       NvmlOptions.CounterSchedule schedule, List<PowerChannel> channels, GpuState[] gpus,
                       NvmlMetadata metadata, Duration bufferHeld, long bufferSpacingMicros) {
        this.library = library;
        this.nanoClock = nanoClock;
        this.wallClock = wallClock;
        this.bufferPeriodNanos = metadata.bufferPeriod().toNanos();
        this.bufferHeld = bufferHeld;
        this.bufferSpacingMicros = bufferSpacingMicros;
        this.learnedBufferPeriod = options.bufferPeriod() == null && schedule == NvmlOptions.CounterSchedule.BOUNDARIES
                && bufferHeld != null;
        long p = UPDATE_PERIOD.toNanos();
        this.huntSpacingNanos = Math.max(1, Math.round((double) options.counterPeriod().toNanos() / p)) * p;
        this.adaptive = schedule == NvmlOptions.CounterSchedule.ADAPTIVE;
        this.boundariesOnly = schedule == NvmlOptions.CounterSchedule.BOUNDARIES;
        this.straddle = boundariesOnly && options.straddlesCloses(counters(gpus));
        this.aimReads = boundariesOnly && options.aimReads();
        this.order = new int[gpus.length];
        this.orderKey = new long[gpus.length];
        for (int i = 0; i < gpus.length; i++) {
            order[i] = i;
        }
        boolean holdBackEverywhere = true;
        for (GpuState g : gpus) {
            holdBackEverywhere &= g.holdBackFields != null;
        }
        this.conditionsPeriodNanos = options.conditionsPeriodFor(holdBackEverywhere).toNanos();
        this.coalesceNanos = Math.min(MAX_COALESCE_NANOS, conditionsPeriodNanos / 4);
        this.channels = List.copyOf(channels);
        this.gpus = gpus;
        this.metadata = metadata;
        this.counterReadAt = new long[channels.size()];
    }

    private static int counters(GpuState[] gpus) {
        int n = 0;
        for (GpuState g : gpus) {
            n += g.counterChannel >= 0 ? 1 : 0;
        }
        return n;
    }

    /**
     * Opens the sensor on the process environment's {@code CUDA_VISIBLE_DEVICES} and
     * {@link System#nanoTime()}.
     */
    public static NvmlSensor open(NvmlLibrary library, NvmlOptions options) throws SensorUnavailableException {
        return open(library, options, System.getenv(), System::nanoTime);
    }

    /**
     * Initialises NVML, finds the visible GPUs, tries each reading once and builds the channels.
     * On any failure NVML is shut down again before the exception leaves.
     *
     * @param environment where {@code CUDA_VISIBLE_DEVICES} and {@code CUDA_DEVICE_ORDER} are read
     * @param nanoClock   the clock that paces counter reads ({@link System#nanoTime()} outside tests)
     * @throws SensorUnavailableException with one line that says what is missing and what to do
     */
    public static NvmlSensor open(NvmlLibrary library, NvmlOptions options, Map<String, String> environment,
                                  LongSupplier nanoClock) throws SensorUnavailableException {
        return open(library, options, environment, nanoClock, NvmlSensor::wallClockNanos);
    }

    /**
     * As {@link #open(NvmlLibrary, NvmlOptions, Map, LongSupplier)}, with the wall clock the driver
     * stamps its buffered power samples with ({@code power=buffer}).
     *
     * @param wallClock nanoseconds since the epoch on the host's wall clock
     */
    public static NvmlSensor open(NvmlLibrary library, NvmlOptions options, Map<String, String> environment,
                                  LongSupplier nanoClock, LongSupplier wallClock) throws SensorUnavailableException {
        try {
            library.init();
        } catch (NvmlException e) {
            throw new SensorUnavailableException(initFailure(e), e);
        }
        boolean ok = false;
        try {
            NvmlSensor sensor = build(library, options, environment, nanoClock, wallClock);
            ok = true;
            return sensor;
        } catch (NvmlException e) {
            throw new SensorUnavailableException("NVML failed while listing GPUs: " + e.getMessage()
                    + "; check nvidia-smi, or drop -prof nvml", e);
        } finally {
            if (!ok) {
                try {
                    library.shutdown();
                } catch (RuntimeException e) {
                    // the first failure is the one worth reporting
                }
            }
        }
    }

    private static String initFailure(NvmlException e) {
        String what = switch (e.code()) {
            case NvmlReturn.DRIVER_NOT_LOADED -> "the NVIDIA kernel driver is not loaded";
            case NvmlReturn.NO_PERMISSION -> "no permission to open the GPU device files (/dev/nvidia*)";
            case NvmlReturn.LIB_RM_VERSION_MISMATCH ->
                    "libnvidia-ml and the loaded kernel driver differ in version (reload the driver or reboot)";
            default -> "NVML could not start";
        };
        return "NVML unavailable: " + what + " (" + e.getMessage() + "); fix the driver or drop -prof nvml";
    }

    private static long wallClockNanos() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private static NvmlSensor build(NvmlLibrary library, NvmlOptions options, Map<String, String> environment,
                                    LongSupplier nanoClock, LongSupplier wallClock) throws SensorUnavailableException {
        int count = library.deviceCount();
        if (count == 0) {
            throw new SensorUnavailableException("NVML sees no GPU on this machine; run on a GPU host or drop -prof nvml");
        }
        List<NvmlDeviceHandle> handles = new ArrayList<>(count);
        List<String> uuids = new ArrayList<>(count);
        List<String> names = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            NvmlDeviceHandle h = library.handleByIndex(i);
            handles.add(h);
            uuids.add(library.uuid(h));
            names.add(library.name(h));
        }
        String variable = environment.get(CudaVisibleDevices.VARIABLE);
        CudaVisibleDevices.Selection visible;
        try {
            visible = CudaVisibleDevices.select(variable, uuids);
        } catch (CudaVisibleDevices.MigNotSupportedException e) {
            throw new SensorUnavailableException(e.getMessage() + ", or drop -prof nvml");
        }
        List<String> notes = new ArrayList<>();
        if (visible.ignored() != null) {
            notes.add(CudaVisibleDevices.VARIABLE + ": " + visible.ignored());
        }
        String orderWarning = visible.orderWarning(names, environment.get("CUDA_DEVICE_ORDER"));
        if (orderWarning != null) {
            notes.add(orderWarning);
        }
        if (visible.nvmlIndices().isEmpty()) {
            throw new SensorUnavailableException(CudaVisibleDevices.VARIABLE + "='" + variable
                    + "' hides every GPU" + (visible.ignored() == null ? "" : " (" + visible.ignored() + ")")
                    + "; unset it or name GPUs by index or GPU- UUID, or drop -prof nvml");
        }
        List<Integer> chosen = new ArrayList<>();
        int nvmlMajor = nvmlMajor(library);
        Duration bufferHeld = null; // the least any buffer-read GPU's driver held at open
        long bufferSpacingMicros = 0; // the widest usual spacing of their samples
        if (options.gpus() == null) {
            for (int i = 0; i < visible.nvmlIndices().size(); i++) {
                chosen.add(i);
            }
        } else {
            for (int v : options.gpus()) {
                if (v >= visible.nvmlIndices().size()) {
                    throw new SensorUnavailableException("-prof nvml: gpus=" + join(options.gpus()) + " names GPU " + v
                            + " but " + visible.nvmlIndices().size() + " GPU(s) are visible"
                            + (variable == null ? "" : " (" + CudaVisibleDevices.VARIABLE + "=" + variable + ")")
                            + "; use indices 0.." + (visible.nvmlIndices().size() - 1));
                }
                chosen.add(v);
            }
        }

        long now = nanoClock.getAsLong();
        List<PowerChannel> channels = new ArrayList<>();
        List<GpuState> states = new ArrayList<>();
        List<Gpu> described = new ArrayList<>();
        for (int v : chosen) {
            int nvmlIndex = visible.nvmlIndices().get(v);
            NvmlDeviceHandle h = handles.get(nvmlIndex);
            String uuid = uuids.get(nvmlIndex);
            GpuReadings readings = GpuReadings.probe(library, h, nanoClock, nvmlMajor);
            boolean counter = readings.counter();
            PowerSource source = readings.source();
            if (options.power() == NvmlOptions.Power.BUFFER) {
                String instead = "; its power is read "
                        + (source == PowerSource.INSTANT_FIELD ? "from field 186 on every sample" : "as NVML offers it") + " instead";
                try {
                    long[] times = new long[BUFFER_ROOM];
                    int n = library.totalPowerSamples(h, 0, times, new double[BUFFER_ROOM]);
                    long skew = n == 0 ? 0 : times[n - 1] * 1000 - wallClock.getAsLong();
                    if (n >= 2 && Math.abs(skew) <= MAX_STAMP_SKEW_NANOS && times[n - 1] > times[0]) {
                        // n samples span n - 1 spacings; the buffer holds one spacing more than that span
                        long spacing = (times[n - 1] - times[0]) / (n - 1);
                        Duration held = Duration.ofNanos((times[n - 1] - times[0] + spacing) * 1000);
                        bufferHeld = bufferHeld == null || held.compareTo(bufferHeld) < 0 ? held : bufferHeld;
                        bufferSpacingMicros = Math.max(bufferSpacingMicros, spacing);
                    }
                    if (n == 0) {
                        notes.add("GPU " + v + " (" + uuid + "): power=buffer (the default): the driver's buffer held no"
                                + " power samples when the sensor opened" + instead);
                    } else if (Math.abs(skew) > MAX_STAMP_SKEW_NANOS) {
                        notes.add("GPU " + v + " (" + uuid + "): power=buffer: the driver's newest power sample is stamped "
                                + String.format(java.util.Locale.ROOT, "%+.1f", skew / 1e9) + " s from this host's wall clock,"
                                + " so its stamps are not on the clock this sensor reads them on" + instead);
                    } else {
                        source = PowerSource.DRIVER_BUFFER;
                    }
                } catch (NvmlException e) {
                    notes.add("GPU " + v + " (" + uuid + "): power=buffer (the default) takes the driver's power samples,"
                            + " which this driver does not offer (" + e.getMessage() + ")" + instead);
                }
            }
            CumulativeEnergy energy = new CumulativeEnergy();
            if (counter) {
                energy.update(readings.firstMillijoules());
            }

            if (!counter && source == PowerSource.NONE) {
                notes.add("GPU " + v + " (" + uuid + ") offers neither an energy counter nor a power reading; not measured");
                continue;
            }
            GpuState s = new GpuState(h, source, counter ? energy : null, now);
            s.uuid = uuid;
            s.holdBackFields = readings.holdBackFields();
            String prefix = "gpu" + v;
            if (counter) {
                s.counterChannel = channels.size();
                channels.add(new PowerChannel(prefix + ".counter", uuid, Scope.GPU, Method.COUNTER,
                        PowerChannel.Kind.ENERGY_JOULES));
            }
            if (source != PowerSource.NONE) {
                s.powerChannel = channels.size();
                String name = switch (source) {
                    case INSTANT_FIELD -> prefix + ".power";
                    case DRIVER_BUFFER -> prefix + ".power-buffer";
                    default -> prefix + ".power-avg1s";
                };
                channels.add(new PowerChannel(name, uuid, Scope.GPU, Method.SAMPLED, PowerChannel.Kind.POWER_WATTS));
            }
            states.add(s);
            described.add(new Gpu(v, nvmlIndex, uuid, names.get(nvmlIndex), readings.limitWatts(), counter, source,
                    readings.probes()));
        }
        if (states.isEmpty()) {
            throw new SensorUnavailableException("no chosen GPU offers an NVML energy counter or power reading ("
                    + String.join("; ", notes) + "); drop -prof nvml");
        }
        GpuState[] measured = states.toArray(GpuState[]::new);
        int counters = counters(measured);
        NvmlOptions.CounterSchedule schedule = options.scheduleFor(counters);
        String scheduleNote = schedule.name().toLowerCase(java.util.Locale.ROOT);
        if (options.counterSchedule() == NvmlOptions.CounterSchedule.AUTO) {
            scheduleNote += " (auto: " + counters + " GPU counter" + (counters == 1 ? "" : "s") + ")";
        }
        boolean buffered = described.stream().anyMatch(d -> d.powerSource() == PowerSource.DRIVER_BUFFER);
        if (!buffered) {
            bufferHeld = null;
        }
        NvmlMetadata metadata = new NvmlMetadata(version(library::driverVersion), version(library::nvmlVersion),
                variable, notes, described, scheduleNote, options.bufferPeriodFor(schedule, bufferHeld), bufferHeld);
        return new NvmlSensor(library, nanoClock, wallClock, options, schedule, channels, measured, metadata,
                bufferHeld, bufferSpacingMicros);
    }

    /** NVML's major version ({@code 13} of {@code 13.580.159.04}), 0 where it does not say. */
    private static int nvmlMajor(NvmlLibrary library) {
        try {
            String v = library.nvmlVersion();
            int dot = v.indexOf('.');
            return Integer.parseInt((dot < 0 ? v : v.substring(0, dot)).strip());
        } catch (NvmlException | NumberFormatException e) {
            return 0;
        }
    }

    private static String version(java.util.function.Supplier<String> call) {
        try {
            return call.get();
        } catch (NvmlException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    private static String join(List<Integer> xs) {
        StringBuilder b = new StringBuilder();
        for (int x : xs) {
            b.append(b.length() == 0 ? "" : ",").append(x);
        }
        return b.toString();
    }

    @Override
    public String id() {
        return "nvml";
    }

    @Override
    public List<PowerChannel> channels() {
        return channels;
    }

    /**
     * Reads as {@link #sample(double[], boolean)} does and, with {@code power=buffer}, adds the
     * driver's buffered power samples newer than the last kept, each at its own stamp, every
     * {@code bufferPeriod} and on boundaries.
     */
    @Override
    public void sample(Readings out, boolean boundary) {
        if (scratch == null) {
            scratch = new double[channels.size()];
        }
        readingsCall = true;
        try {
            sample(scratch, boundary);
        } finally {
            readingsCall = false;
        }
        for (int c = 0; c < scratch.length; c++) {
            if (Double.isNaN(scratch[c])) {
                continue;
            }
            if (channels.get(c).kind() == PowerChannel.Kind.ENERGY_JOULES) {
                out.set(c, scratch[c], counterReadAt[c]);
            } else {
                out.set(c, scratch[c]);
            }
        }
        if (closed) {
            return;
        }
        for (GpuState g : gpus) {
            for (int i = 1; i < g.carriedNow; i++) { // the close's edge-check reads after its first, each at its own time
                out.add(g.counterChannel, g.closeJoules[i], g.closeAt[i]);
            }
            g.carriedNow = 0;
            if (g.edgePending) {
                g.edgePending = false;
                settleEdge(g, out);
            }
        }
        if (closedNow && straddle) {
            straddleClose(out);
        }
        long now = nanoClock.getAsLong();
        if (boundary || now - nextBufferFetch >= 0) {
            // a window opened just after a fetch (JMH's next wave, 20-50 ms after the last one's close): its
            // trace gets the samples that fetch brought from before it, and the next fetch brings the rest
            boolean replay = openedNow && lastFetchEnd != Long.MIN_VALUE && now - lastFetchEnd <= CARRY_REACH_NANOS
                    && now - nextBufferFetch < 0;
            boolean any = false;
            for (GpuState g : gpus) {
                if (g.powerSource == PowerSource.DRIVER_BUFFER && g.powerChannel >= 0) {
                    any = true;
                    if (replay) {
                        replayBuffer(g, out);
                    } else {
                        fetchBuffer(g, out, boundary);
                    }
                }
            }
            if (replay) {
                replayedFetches += any ? 1 : 0;
            } else {
                lastFetchEnd = nanoClock.getAsLong();
                nextBufferFetch = any ? lastFetchEnd + bufferPeriodNanos : Long.MAX_VALUE;
            }
        }
    }

    /** Gives the samples a boundary's fetch would have fetched again, as they were given when fetched. */
    private static void replayBuffer(GpuState g, Readings out) {
        for (int i = 0; i < g.recent; i++) {
            out.add(g.powerChannel, g.recentWatts[i], g.recentAt[i]);
        }
    }

    /** Keeps a fetched sample for {@link #replayBuffer}, and drops those now beyond reach of the newest. */
    private static void keepRecent(GpuState g, long stamp, long at, double watts) {
        if (g.recent > 0 && stamp <= g.recentStamp[g.recent - 1]) {
            return; // fetched again by a boundary's reach: kept already
        }
        long oldest = stamp - BOUNDARY_REACH_MICROS;
        int drop = 0;
        while (drop < g.recent && g.recentStamp[drop] <= oldest) {
            drop++;
        }
        if (drop > 0) {
            System.arraycopy(g.recentStamp, drop, g.recentStamp, 0, g.recent - drop);
            System.arraycopy(g.recentAt, drop, g.recentAt, 0, g.recent - drop);
            System.arraycopy(g.recentWatts, drop, g.recentWatts, 0, g.recent - drop);
            g.recent -= drop;
        }
        if (g.recent == BUFFER_ROOM) { // more samples within reach than a fetch holds: drop the oldest
            System.arraycopy(g.recentStamp, 1, g.recentStamp, 0, BUFFER_ROOM - 1);
            System.arraycopy(g.recentAt, 1, g.recentAt, 0, BUFFER_ROOM - 1);
            System.arraycopy(g.recentWatts, 1, g.recentWatts, 0, BUFFER_ROOM - 1);
            g.recent--;
        }
        g.recentStamp[g.recent] = stamp;
        g.recentAt[g.recent] = at;
        g.recentWatts[g.recent] = watts;
        g.recent++;
    }

    /**
     * Adds the GPU's buffered power samples stamped after the last one kept. The driver stamps them
     * in wall-clock microseconds; each is moved onto the {@code nanoClock} by the two clocks'
     * offset ({@link #wallMinusNano()}), read just before the call (the offset moves only as NTP
     * slews the wall clock).
     */
    private void fetchBuffer(GpuState g, Readings out, boolean boundary) {
        long offset = wallMinusNano();
        // on a boundary reach back, so that a trace begun right after the last one still holds samples from
        // before its first counter value's update moment (the sampler drops those it already has)
        long after = boundary && g.lastBufferStamp > 0 ? g.lastBufferStamp - BOUNDARY_REACH_MICROS : g.lastBufferStamp;
        int n;
        try {
            n = library.totalPowerSamples(g.handle, after, bufferTimes, bufferMilliwatts);
        } catch (NvmlException e) {
            failed(e.getMessage());
            return;
        }
        long known = g.lastBufferStamp;
        noticeLoss(g, known, n);
        for (int i = 0; i < n; i++) {
            long stamp = bufferTimes[i];
            if (stamp <= after) {
                continue;
            }
            // a sample fetched before keeps the time it was given then, so the sampler sees it as the same one
            long at = stamp * 1000 - (stamp <= known ? g.lastBufferOffset : offset);
            if (stamp > g.lastBufferStamp) {
                g.lastBufferStamp = stamp;
                g.lastBufferOffset = offset;
            }
            out.add(g.powerChannel, bufferMilliwatts[i] / 1000.0, at);
            keepRecent(g, stamp, at, bufferMilliwatts[i] / 1000.0);
        }
    }

    /**
     * Whether the fetch just made found samples gone: its oldest sample stamped more than
     * {@link #LOSS_SPACINGS} usual spacings (at least {@link #MIN_LOSS_MICROS}) after the newest
     * kept, so the driver dropped some in between before they were fetched. Counted
     * ({@link #bufferLosses()}); where the period was learned and the fetch came about on time
     * (not after a stalled sampler), the period is shortened to half, or to three quarters of what
     * this fetch shows the buffer holding if that is less. A stretch lost is also a gap in the
     * trace, which flags every window it touches where it is longer than the trace's gap bound.
     */
    private void noticeLoss(GpuState g, long known, int n) {
        if (known <= 0 || n == 0 || bufferSpacingMicros <= 0) {
            return;
        }
        long oldest = bufferTimes[0];
        long lost = oldest - known;
        if (lost <= Math.max(MIN_LOSS_MICROS, LOSS_SPACINGS * bufferSpacingMicros)) {
            return;
        }
        bufferLosses++;
        bufferLostMicros += lost - bufferSpacingMicros;
        long sinceFetch = lastFetchEnd == Long.MIN_VALUE ? Long.MAX_VALUE : nanoClock.getAsLong() - lastFetchEnd;
        if (learnedBufferPeriod && sinceFetch <= bufferPeriodNanos + bufferPeriodNanos / 4 && shortenedAfter != lastFetchEnd) {
            shortenedAfter = lastFetchEnd; // once a round of fetches, however many GPUs lost samples in it
            long shorter = bufferPeriodNanos / 2;
            if (n >= 2) { // the period for what this fetch shows the buffer holding, by the rule used at open
                long holds = (bufferTimes[n - 1] - bufferTimes[0] + bufferSpacingMicros) * 1000;
                shorter = Math.min(shorter, NvmlOptions.learnedBufferPeriod(Duration.ofNanos(holds)).toNanos());
            }
            bufferPeriodNanos = Math.max(NvmlOptions.MIN_LEARNED_BUFFER_PERIOD.toNanos(), shorter);
        }
    }

    /**
     * The wall clock minus the {@code nanoClock}: the wall clock read between two reads of the other,
     * three times, keeping the tightest pair (a thread descheduled between two reads would
     * otherwise move every sample of the fetch by as long as it waited).
     */
    private long wallMinusNano() {
        long best = Long.MAX_VALUE;
        long offset = 0;
        for (int i = 0; i < 3; i++) {
            long before = nanoClock.getAsLong();
            long wall = wallClock.getAsLong();
            long after = nanoClock.getAsLong();
            if (after - before < best) {
                best = after - before;
                offset = wall - (before + (after - before) / 2);
            }
        }
        return offset;
    }

    @Override
    public void sample(double[] out, boolean boundary) {
        if (closed) {
            Arrays.fill(out, 0, channels.size(), Double.NaN);
            return;
        }
        for (GpuState g : gpus) {
            if (g.powerChannel >= 0) {
                out[g.powerChannel] = g.powerSource == PowerSource.DRIVER_BUFFER ? Double.NaN : readPower(g);
            }
            if (g.counterChannel >= 0) {
                out[g.counterChannel] = Double.NaN;
            }
        }
        long now = nanoClock.getAsLong();
        long gap = lastSample == Long.MIN_VALUE ? 0 : Math.max(0, now - lastSample);
        boolean opens = boundary && opening; // this boundary opens a window; a later one (its close) never does
        openedNow = opens;
        closedNow = boundary && closing && !opens;
        closeEdge = now;
        if (boundary) {
            opening = false;
            closing = false;
        }
        lastSample = now;
        // conditions due soon after a buffer fetch due now are read with it, a little early: one wake for both
        boolean fetchDue = nextBufferFetch != Long.MIN_VALUE && now - nextBufferFetch >= 0;
        if (boundary || now - nextConditions >= 0 || (fetchDue && nextConditions - now <= coalesceNanos)) {
            readConditions(now, boundary);
        }
        GpuState starting = null;
        if (boundary && aimReads) {
            aimLatest = now + AIM_REACH_NANOS;
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
        }
        for (int i = 0; i < gpus.length; i++) {
            if (boundary && aimReads) {
                orderByAim(nanoClock.getAsLong(), i); // the reads before this one moved the clock on
            }
            GpuState g = gpus[order[i]];
            if (g.counterChannel < 0) {
                continue;
            }
            if (opens && carries(g, now)) {
                // the reads that closed the last window, a few ms ago, are this one's opening values
                out[g.counterChannel] = g.closeJoules[0];
                counterReadAt[g.counterChannel] = g.closeAt[0];
                g.carriedNow = g.closeReads;
                carriedReads += g.closeReads;
                g.closeReads = 0; // given once
            } else if (boundary || g.hunting) {
                if (boundary && aimReads && g.phaseKnown && !g.hunting) {
                    aimRead(g);
                }
                boolean wasHunting = g.hunting;
                out[g.counterChannel] = readCounter(g, gap);
                if (boundary && !wasHunting && !Double.isNaN(out[g.counterChannel])) {
                    g.closeAt[0] = counterReadAt[g.counterChannel];
                    g.closeJoules[0] = out[g.counterChannel];
                    g.closeReads = 1;
                    g.closeSettled = !checkEdge(g, counterReadAt[g.counterChannel]) && g.phaseKnown;
                }
            } else if (boundariesOnly && g.phaseKnown) {
                continue; // the phase is learned: between boundaries the counter is left alone
            } else if (g.aimed) {
                if (now - g.targetLow > 0) { // too late to read before the predicted step: aim at the next one
                    long periods = (now - g.targetLow) / UPDATE_PERIOD.toNanos() + 1;
                    g.targetLow += periods * UPDATE_PERIOD.toNanos();
                    g.targetHigh += periods * UPDATE_PERIOD.toNanos();
                }
                // start at the last sample before the predicted step: the next one, a gap later, falls after it
                g.nextCounterRead = g.targetLow - gap;
                if (now - g.nextCounterRead > 0 && (starting == null || g.nextCounterRead - starting.nextCounterRead < 0)) {
                    starting = g;
                }
            } else if (now - g.nextCounterRead >= 0
                    && (starting == null || g.nextCounterRead - starting.nextCounterRead < 0)) {
                starting = g;
            }
        }
        // the reads before it in this sample took milliseconds each (about 4 on an H200): an aimed hunt whose
        // first read would now come after the earliest predicted step may see the new value already, and then
        // read at every sample for a whole update period; it stays aimed, and the next sample moves it on a period
        if (starting != null && !(starting.aimed && nanoClock.getAsLong() - starting.targetLow > 0)) {
            starting.hunting = true;
            starting.huntReads = 0;
            out[starting.counterChannel] = readCounter(starting, gap);
        }
    }

    /**
     * The next boundary sample opens a window. With {@code counterSchedule=boundaries}, a GPU whose
     * last boundary (the window before's close) began at most {@link #CARRY_REACH_NANOS} ago and
     * settled which step its value belongs to gives that boundary's reads again, each with its own
     * time, instead of reading: its one read where it lay clear of every predicted step, or its
     * read and its edge check's reads, which show the step's side as they did in the trace before.
     * The trace then starts with values from just before the window; the energy between the first
     * one's update moment and the window's start is split by the power shape, as after any first
     * read (and counted in the shape term of the error budget). Through {@link #sample(double[],
     * boolean)}, which holds one value a channel, only a single read is given again.
     *
     * <p>With power from the driver's buffer, under any schedule, an opening that comes at most
     * {@link #CARRY_REACH_NANOS} after the last fetch (and before the next is due) fetches nothing:
     * it gives the samples that fetch brought from the last {@link #BOUNDARY_REACH_MICROS}, each at
     * the time it was given then, and the next fetch brings those stamped since
     * ({@link #replayedFetches()}).
     */
    @Override
    public void opensWindow() {
        opening = true;
    }

    /**
     * Whether {@code g}'s last boundary's reads may stand for a read now ({@link #opensWindow});
     * several of them only where the caller takes several values a channel.
     */
    private boolean carries(GpuState g, long now) {
        return boundariesOnly && g.phaseKnown && g.closeSettled && g.closeReads > 0 && !g.hunting && !g.edgePending
                && (g.closeReads == 1 || readingsCall)
                && now - g.closeAt[0] >= 0 && now - g.closeAt[g.closeReads - 1] <= CARRY_REACH_NANOS;
    }

    /**
     * True: an instant inside a window that a result is measured from (an idle window's start and
     * end) gets a boundary sample, so every counter is read there (and edge-checked near a
     * predicted step) even with {@code counterSchedule=boundaries}. Without it, an H200 idle
     * baseline taken between a wave's boundary reads 14 s apart was a share of that interval split
     * by the driver's power buffer, and came out 1.6 % high.
     */
    @Override
    public boolean readsInnerEdges() {
        return true;
    }

    /** Counter values that windows' opening samples gave from the reads before ({@link #opensWindow}) instead of reading. */
    public long carriedReads() {
        return carriedReads;
    }

    /**
     * Boundaries whose fetch of the driver's buffers a window's opening answered from the samples
     * fetched just before ({@link #opensWindow}), one a boundary however many GPUs.
     */
    public long replayedFetches() {
        return replayedFetches;
    }

    private double readPower(GpuState g) {
        try {
            if (g.powerSource == PowerSource.INSTANT_FIELD) {
                NvmlFieldValue fv = library.fieldValues(g.handle, NvmlFields.SCOPE_GPU, INSTANT).get(0);
                if (fv.ok()) {
                    return fv.value() / 1000.0;
                }
                failed("NVML_FI_DEV_POWER_INSTANT: " + library.errorString(fv.returnCode()) + " (" + fv.returnCode() + ")");
                return Double.NaN;
            }
            return library.powerUsageMilliwatts(g.handle) / 1000.0;
        } catch (NvmlException e) {
            failed(e.getMessage());
            return Double.NaN;
        }
    }

    /**
     * Reads the counter and moves the GPU's hunt on: the hunt's first read is its reference; a
     * later read showing a new value ends the hunt (it and the read before bracket the step) and sets the next one to start one sample gap and
     * {@link #HUNT_LEAD_NANOS} before the step expected a whole number of update periods after
     * {@link NvmlOptions#counterPeriod()}; a hunt that saw no change in {@link #MAX_HUNT_READS}
     * reads waits a counter period and tries again.
     */
    private double readCounter(GpuState g, long gap) {
        g.closeReads = 0; // a boundary read records itself again in sample()
        long raw = readRaw(g);
        if (raw == READ_FAILED) {
            return Double.NaN;
        }
        long now = g.valueAt; // this read's own time: earlier GPUs' reads in this sample took milliseconds
        counterReadAt[g.counterChannel] = now;
        g.lastRaw = raw;
        if (g.hunting) {
            g.huntReads++;
            g.aimed = false;
            if (g.huntReads == 1) {
                g.huntReference = raw;
            } else if (raw != g.huntReference) {
                g.hunting = false;
                g.huntUntil = Long.MAX_VALUE;
                g.nextCounterRead = now + huntSpacingNanos - Math.min(UPDATE_PERIOD.toNanos() / 2, HUNT_LEAD_NANOS + gap);
                if (now - g.lastHuntRead <= TIGHT_NANOS) {
                    followPhase(g, g.lastHuntRead, now);
                }
            } else if (now - g.huntUntil > 0) {
                // an edge check that saw no step up to the predicted one plus the zone: the step came before the boundary
                g.hunting = false;
                g.huntUntil = Long.MAX_VALUE;
                g.aimed = g.phaseKnown && !boundariesOnly;
            } else if (g.huntReads >= MAX_HUNT_READS) {
                g.hunting = false;
                g.huntUntil = Long.MAX_VALUE;
                g.nextCounterRead = now + huntSpacingNanos;
            }
            g.lastHuntRead = now;
        }
        return g.energy.update(raw);
    }

    /**
     * A boundary read taken within {@link #EDGE_ZONE_NANOS} of a step the learned phase predicts
     * may lie on either side of it, and a value placed on the wrong side moves one step of energy
     * (≈ 1 % of a 5 s wave at 650 W) across the edge. Such a read begins an <em>edge check</em>: the
     * next samples read the counter until it changes (then the step came after the boundary, and
     * the two reads bracket it tightly) or until the predicted step plus the zone has passed
     * unchanged (then it came before, and {@link org.tokenpowerbench.energy.CounterUpdates} places
     * the value at its first read). It costs one to three reads, on about a sixth of the boundaries.
     */
    private boolean checkEdge(GpuState g, long now) {
        if (!g.phaseKnown) {
            return false;
        }
        long p = UPDATE_PERIOD.toNanos();
        long k = Math.floorDiv(now - g.phaseLow + p / 2, p);
        long low = g.phaseLow + k * p;
        long high = g.phaseHigh + k * p;
        if (now < low - EDGE_ZONE_NANOS || now > high + EDGE_ZONE_NANOS) {
            return false;
        }
        if (boundariesOnly) { // no sample follows the last boundary: settled within this one (settleEdge)
            g.edgePending = true;
            g.edgeUntil = high + EDGE_ZONE_NANOS;
            g.edgeFrom = now;
        } else {
            g.hunting = true;
            g.huntReads = 1;
            g.huntReference = g.lastRaw;
            g.lastHuntRead = now;
            g.huntUntil = high + EDGE_ZONE_NANOS;
        }
        return true;
    }

    /**
     * With {@code counterSchedule=boundaries}, once every counter's phase is learned, no hunt or
     * edge check is open and every GPU's power comes from the driver's buffer, nothing is read
     * between boundaries but the conditions (every {@code conditionsPeriod}) and the buffer
     * (every {@code bufferPeriod}): the time until the earlier of those is due, or until the fetch
     * where the two fall within a quarter of the conditions' period (at most 100 ms) of each other
     * (the conditions are then read with the fetch, a little late or early), so that a sampler
     * fetching and reading the conditions every second wakes once a second rather than twice. Else 0.
     */
    @Override
    public long idleNanos() {
        if (!boundariesOnly || closed) {
            return 0;
        }
        for (GpuState g : gpus) {
            if (g.counterChannel >= 0 && (!g.phaseKnown || g.hunting || g.edgePending)) {
                return 0;
            }
            if (g.powerChannel >= 0 && g.powerSource != PowerSource.DRIVER_BUFFER) {
                return 0;
            }
        }
        if (nextBufferFetch == Long.MIN_VALUE || nextConditions == Long.MIN_VALUE) {
            return 0; // not sampled yet
        }
        long due = Math.min(nextBufferFetch, nextConditions);
        if (Math.abs(nextBufferFetch - nextConditions) <= coalesceNanos) {
            // one wake for both, at the fetch: conditions due a little before it wait for it, those due a little
            // after it are read with it; the fetch is never put off (the driver's buffer holds about 2.4 s)
            due = nextBufferFetch;
        }
        long now = nanoClock.getAsLong();
        return due - now > 0 ? due - now : 0;
    }

    /**
     * {@code closeStraddle}: a window's close reads each counter again just after the first update
     * the learned grid predicts past the window's end, so that the trace holds the counter's values
     * on both sides of the end and the update that holds it is split by the power's shape alone
     * ({@link org.tokenpowerbench.energy.PowerSignal} scales the shape to each counter interval).
     * A GPU whose close reads may already hold that update (the last lay within
     * {@link #EDGE_ZONE_NANOS} of it or past it, or no read settled its side) is left as it is.
     * Each GPU is read once, {@link #CHEAP_READ_FROM_NANOS} past the predicted step's centre, the
     * GPUs in the order their steps come: past the driver's spell after the step, which held a read
     * begun 4 ms past the step's late end for another 10-15 ms of busy-waiting on an H100 (session
     * 28), and in a cheap part of the driver's cycle ({@link #DRIVER_CYCLE_NANOS}); the value is the
     * same, the next step about 70 ms off. A step later still keeps none of it, so no value
     * is dated by an update it did not see. The changed read becomes a timed reading of the
     * counter and a further close read, which the next window opens from ({@link #carries}): a
     * value taken in the idle gap after this window's end.
     */
    private void straddleClose(Readings out) {
        long p = UPDATE_PERIOD.toNanos();
        int pending = 0;
        for (GpuState g : gpus) {
            g.straddleDue = Long.MIN_VALUE;
            if (g.counterChannel < 0 || !g.phaseKnown || g.hunting || g.edgePending || !g.closeSettled
                    || g.closeReads == 0) {
                continue;
            }
            long k = Math.floorDiv(closeEdge - g.phaseHigh, p) + 1; // the first step whose phase interval ends after the edge
            long low = g.phaseLow + k * p;
            long high = g.phaseHigh + k * p;
            if (g.closeAt[g.closeReads - 1] >= low - EDGE_ZONE_NANOS) {
                continue; // the close's reads may hold that step already
            }
            long anchor = updateCentre(g);
            long centre = anchor + Math.floorDiv(low + (high - low) / 2 - anchor + p / 2, p) * p; // the grid's update in it
            g.straddleDue = centre + CHEAP_READ_FROM_NANOS;
            pending++;
        }
        while (pending > 0) {
            GpuState g = null;
            for (GpuState c : gpus) {
                if (c.straddleDue != Long.MIN_VALUE && (g == null || c.straddleDue - g.straddleDue < 0)) {
                    g = c;
                }
            }
            long now = nanoClock.getAsLong();
            if (g.straddleDue - now > 0) {
                park(g.straddleDue - now);
                // a clock that waiting does not move (a test's own), or a thread told to stop (Ctrl-C): read nothing more
                if (nanoClock.getAsLong() == now || Thread.currentThread().isInterrupted()) {
                    for (GpuState c : gpus) {
                        c.straddleDue = Long.MIN_VALUE;
                    }
                    pending = 0;
                }
                continue;
            }
            g.straddleDue = Long.MIN_VALUE;
            pending--;
            long raw = readRaw(g);
            if (raw == READ_FAILED) {
                continue;
            }
            straddleReads++;
            double joules = g.energy.update(raw);
            // changed, the step came and the value is kept; unchanged, it has not come and nothing of this wait is kept
            if (raw != g.lastRaw) {
                g.lastRaw = raw;
                keepCloseRead(g, out, g.valueAt, joules);
            }
        }
    }

    /** A further read of a close: a timed reading of the counter, and one more value the next window may open from. */
    private static void keepCloseRead(GpuState g, Readings out, long at, double joules) {
        out.add(g.counterChannel, joules, at);
        if (g.closeReads > 0 && g.closeReads < g.closeAt.length) {
            g.closeAt[g.closeReads] = at;
            g.closeJoules[g.closeReads] = joules;
            g.closeReads++;
        } else {
            g.closeReads = 0;
        }
    }

    /**
     * The instant a counter read took its value: as the call returns. The driver busy-waits inside
     * the call (3-6 ms on an H100, often more) and takes the value late in it: in six dense H100
     * counter logs (session 27, about 1,000 updates each) the steps fell inside the brackets between
     * reads' returns in 96-100 % of cases, and inside those between reads' starts in only 81-94 %.
     * Stamped at the call's start, the sensor dated every update early (its grids lay 2.6-8.5 ms
     * before the logs' updates), which moved about +0.05-0.08 % into a 3 s wave. A read held in
     * the driver's spell after a step is the exception ({@link #valueInstant}).
     */
    private long readInstant() {
        return nanoClock.getAsLong();
    }

    /**
     * The instant GPU {@code g}'s counter read, begun at {@code began}, took its value {@code raw}:
     * as the call returns ({@link #readInstant}), except for a read that showed a new value and
     * took longer than {@link #SLOW_CHANGED_READ_NANOS}, which the driver held in its spell after
     * the step: as it began. Call before {@code g.lastRaw} takes {@code raw}.
     */
    private long valueInstant(GpuState g, long raw, long began) {
        long returned = readInstant();
        if (g.rawSeen && raw != g.lastRaw && returned - began > SLOW_CHANGED_READ_NANOS) {
            if (g.phaseKnown && predictsUpdateWithin(g, began, returned)) {
                heldAcrossUpdates++;
                return returned;
            }
            slowChangedReads++;
            return began;
        }
        return returned;
    }

    /**
     * Whether the learned grid puts an update inside a call that ran from {@code began} to
     * {@code returned}. A held read that shows a new value is dated as it began only where none
     * does: the driver also holds, now and then, a read begun a few ms <em>before</em> an update
     * until after it, with the update's value. On an H100 (session 29) a wave's closing read began
     * at least 3.3 ms before an update (an independent log's read, begun 11 ms before the close's,
     * was held until 3.3 ms after it began and returned the old value) and showed the update's
     * value; dated as it began, the value fell before the grid's update and was given to the
     * update before it, 100 ms earlier, and the 2.7 s wave came out 2.2 % high.
     * Dated as it returned, it is given to the latest update at or before its return, the one in
     * the call, which is also the right one where the read began just after an update the grid
     * places a little late. The update asked about is the learned grid's ({@link #updateCentre}),
     * the one {@link org.tokenpowerbench.energy.PowerSignal} places the trace's values on: wherever
     * one of its updates falls inside the call, a value dated as the call began would go to the
     * update before it.
     */
    private static boolean predictsUpdateWithin(GpuState g, long began, long returned) {
        long p = UPDATE_PERIOD.toNanos();
        long anchor = updateCentre(g); // the grid the trace's values are placed on, where there is one
        long latest = anchor + Math.floorDiv(returned - anchor, p) * p; // its latest update at or before the return
        return latest - began > 0;
    }

    /**
     * Reads GPU {@code g}'s counter (raw millijoules) and puts the instant its value was true in
     * {@code g.valueAt} ({@link #valueInstant}); a failed read is counted and gives
     * {@link #READ_FAILED}. The caller moves {@code g.lastRaw} on.
     */
    private long readRaw(GpuState g) {
        long began = nanoClock.getAsLong();
        long raw;
        try {
            raw = library.totalEnergyConsumptionMillijoules(g.handle);
        } catch (NvmlException e) {
            failed(e.getMessage());
            return READ_FAILED;
        }
        g.valueAt = valueInstant(g, raw, began);
        g.rawSeen = true;
        return raw;
    }

    /** Parks for {@code nanos}, counted in {@link #waitedNanos}. */
    private void park(long nanos) {
        long t = nanoClock.getAsLong();
        parker.accept(nanos);
        waitedNanos += Math.max(0, nanoClock.getAsLong() - t);
    }

    /** Makes the sensor wait with {@code parker} (a test's fake clock) instead of parking the thread. */
    void parkWith(java.util.function.LongConsumer parker) {
        this.parker = parker;
    }

    /** The next boundary sample closes a window; with {@code closeStraddle} it reads each counter again past its next update. */
    @Override
    public void closesWindow() {
        closing = true;
    }

    @Override
    public long waitedNanos() {
        return waitedNanos;
    }

    /** Counter reads that closes took past the next update ({@code closeStraddle}). */
    public long straddleReads() {
        return straddleReads;
    }

    /**
     * When GPU {@code g}'s boundary read, due {@code now}, is to begin ({@code aimReads}, the phase
     * known): {@code now} where it falls within a predicted update's phase interval and
     * {@link #EDGE_ZONE_NANOS} (an edge check follows it there) or in a cheap part of the driver's
     * cycle ({@link #DRIVER_CYCLE_NANOS}) already; else the start of the next cheap part, where a
     * read begun still returns {@link #READ_ALLOWANCE_NANOS} before the next update's edge zone; and
     * {@code now} again in the last 10-15 ms before that zone, where no cheap part is left. So the
     * read never waits past an update: it shows the value it would have shown at once, for 2.7-3.5 ms
     * of the driver's busy-waiting where one begun in the cycle's costly part takes 3.9-5.2 ms and
     * one in the spell after an update 11-16 ms. It waits at most about 22 ms. Measured on one H100
     * read as eight GPUs at 5 s waves: 9.86 ms of sampling CPU a second against 10.52 without
     * (session 29), 9.32 against 9.45 with today's order (session 31; {@link NvmlOptions}).
     * Where the next cheap part begins after {@code latest} ({@link #AIM_REACH_NANOS}): {@code now},
     * or the spell's end where {@code now} lies in the spell after an update ({@link #SPELL_END_NANOS};
     * no update comes between, so the value is the same).
     */
    private long aimedReadStart(GpuState g, long now, long latest) {
        long p = UPDATE_PERIOD.toNanos();
        long nextZone = nextZoneStart(g, now);
        if (now - nextZone >= 0) {
            return now; // inside the next update's zone: read and check
        }
        long centre = latestCentre(g, now);
        for (long w = CHEAP_READ_FROM_NANOS; w < p; w += DRIVER_CYCLE_NANOS) {
            long from = centre + w;
            if (now - (from + CHEAP_READ_SPAN_NANOS) > 0) {
                continue; // this cheap part has passed
            }
            long start = now - from > 0 ? now : from;
            if (start + READ_ALLOWANCE_NANOS - nextZone > 0) {
                return now; // no cheap part left before the next update's zone
            }
            if (start - latest > 0) {
                long spellEnd = centre + SPELL_END_NANOS;
                return now - spellEnd < 0 ? spellEnd : now;
            }
            return start;
        }
        return now;
    }

    /** Where the edge zone of GPU {@code g}'s next update begins: at or before {@code now} while inside it. */
    private static long nextZoneStart(GpuState g, long now) {
        long p = UPDATE_PERIOD.toNanos();
        long k = Math.floorDiv(now - g.phaseHigh - EDGE_ZONE_NANOS, p); // the latest update whose zone has passed
        return g.phaseLow + (k + 1) * p - EDGE_ZONE_NANOS;
    }

    /** GPU {@code g}'s latest predicted update centre at or before {@code now}, on its learned grid. */
    private static long latestCentre(GpuState g, long now) {
        long p = UPDATE_PERIOD.toNanos();
        long anchor = updateCentre(g);
        return anchor + Math.floorDiv(now - anchor, p) * p;
    }

    /** Parks until GPU {@code g}'s aimed read is due ({@link #aimedReadStart}). */
    private void aimRead(GpuState g) {
        long now = nanoClock.getAsLong();
        long start = aimedReadStart(g, now, aimLatest);
        if (start - now > 0) {
            aimedWaits++;
            park(start - now);
        }
    }

    /**
     * Puts the GPUs not yet read at this boundary ({@code order[from..]}) in the order to read them,
     * as things stand {@code now}; called again before each read, so that each choice sees where the
     * reads before it left the clock. First those inside an update's edge zone before its predicted
     * centre, nearest the update first (read after it, a read is held in the spell); then those with
     * no phase to aim by; then those to be read at once outside a cheap part (no cheap part left
     * before their next zone, or none within {@link #AIM_REACH_NANOS}), nearest their zone first, so
     * that the reads ahead do not push them into it (where an edge check follows, its read in the
     * spell); then those in a cheap part now, the one whose part ends first first; then those inside
     * an edge zone past its predicted centre, whose read the driver holds until the spell ends
     * wherever in it it begins, so later costs less; then those that wait, soonest due first. On the
     * fake driver (NvmlAimedReadsTest) eight GPUs whose updates lie at random cost the driver 31 %
     * less busy-waiting than read at once, where the list order with waits in between saved 2.2 %:
     * one GPU's long read in its spell pushed the next into its own.
     */
    private void orderByAim(long now, int from) {
        long p = UPDATE_PERIOD.toNanos();
        for (int i = from; i < order.length; i++) {
            GpuState g = gpus[order[i]];
            long key;
            if (g.counterChannel < 0 || !g.phaseKnown || g.hunting) {
                key = -4 * p;
            } else {
                long wait = aimedReadStart(g, now, aimLatest) - now;
                long zone = nextZoneStart(g, now) - now;
                long cheapLeft = cheapPartLeft(g, now);
                if (wait > 0) {
                    key = wait;
                } else if (zone <= 0) {
                    // inside an update's zone: before its predicted centre at once, the nearest first (a read begun
                    // after the update is held in the spell); past it after the others, the spell's hold shorter then
                    long centre = latestCentre(g, now + p / 2);
                    key = now - centre < 0 ? -5 * p + (centre - now) : -p / 2;
                } else if (cheapLeft > 0) {
                    key = -p + cheapLeft;
                } else {
                    key = -3 * p + Math.min(zone, p);
                }
            }
            orderKey[order[i]] = key;
        }
        for (int i = from + 1; i < order.length; i++) { // insertion sort: a handful of GPUs, no allocation
            int o = order[i];
            int j = i - 1;
            while (j >= from && orderKey[order[j]] > orderKey[o]) {
                order[j + 1] = order[j];
                j--;
            }
            order[j + 1] = o;
        }
    }

    /** How long GPU {@code g}'s cheap part under way at {@code now} has left; 0 outside one. */
    private static long cheapPartLeft(GpuState g, long now) {
        long centre = latestCentre(g, now);
        for (long w = CHEAP_READ_FROM_NANOS; w < UPDATE_PERIOD.toNanos(); w += DRIVER_CYCLE_NANOS) {
            long end = centre + w + CHEAP_READ_SPAN_NANOS;
            if (now - (centre + w) >= 0 && now - end < 0) {
                return end - now;
            }
        }
        return 0;
    }

    /** Boundary counter reads that waited for a cheap part of the driver's cycle ({@link #aimedReadStart}). */
    public long aimedWaits() {
        return aimedWaits;
    }

    /** Counter reads that showed a new value after a hold in the driver, dated as they began ({@link #SLOW_CHANGED_READ_NANOS}). */
    public long slowChangedReads() {
        return slowChangedReads;
    }

    /**
     * Held counter reads with a new value dated as they returned, because the learned phase put an
     * update inside the call ({@link #predictsUpdateWithin}).
     */
    public long heldAcrossUpdates() {
        return heldAcrossUpdates;
    }

    /**
     * {@code counterSchedule=boundaries}: a boundary read near a predicted step is checked within
     * the boundary's own sample, since no hunt follows it (and none at all follows the last
     * boundary): the counter is read again, at least {@link #EDGE_READ_SPACING_NANOS} apart (a read
     * takes about 4 ms on an H200 anyway), until it changes (the step came after the boundary; the
     * last two reads bracket it, and a tight bracket also re-centres the phase) or the predicted
     * step plus {@link #EDGE_ZONE_NANOS} has passed unchanged (it came before). Each read is a
     * timed reading of the counter channel. About a sixth of the boundaries, 1-4 reads each.
     */
    private void settleEdge(GpuState g, Readings out) {
        long reference = g.lastRaw;
        long previous = g.edgeFrom;
        g.closeSettled = false;
        for (int k = 0; k < MAX_HUNT_READS; k++) {
            long now = nanoClock.getAsLong();
            if (now - previous < EDGE_READ_SPACING_NANOS) {
                park(EDGE_READ_SPACING_NANOS - (now - previous));
                now = nanoClock.getAsLong();
            }
            if (now - g.edgeUntil > 0) {
                g.closeSettled = g.closeReads > 0; // the step came before the boundary read
                return;
            }
            long raw = readRaw(g);
            if (raw == READ_FAILED) {
                g.closeReads = 0;
                return;
            }
            now = g.valueAt;
            g.lastRaw = raw;
            keepCloseRead(g, out, now, g.energy.update(raw));
            if (raw != reference) {
                if (now - previous <= TIGHT_NANOS) {
                    followPhase(g, previous, now);
                }
                g.closeSettled = g.closeReads > 0; // the step came after the boundary read, between the last two
                return;
            }
            previous = now;
        }
    }

    /**
     * Narrows the phase with a tight bracket (the step lay in (low, high]); both schedules follow
     * it, for {@link #checkEdge}. Once {@value #LEARNED_BRACKETS} brackets agree within
     * {@value #PHASE_TOLERANCE_MS} ms the phase is known, and the adaptive schedule aims its next
     * hunt at the step {@link #SPARSE_SPACING} ahead. A bracket that misses the phase (an
     * outlier, or drift of the update period away from 100 ms) starts the phase over from itself,
     * and hunts are dense again until it is learned anew.
     */
    private void followPhase(GpuState g, long low, long high) {
        g.bracketLo[g.brackets % KEPT_BRACKETS] = low;
        g.bracketHi[g.brackets % KEPT_BRACKETS] = high;
        g.brackets++;
        long p = UPDATE_PERIOD.toNanos();
        if (g.consistentBrackets == 0) {
            g.phaseLow = low;
            g.phaseHigh = high;
            g.consistentBrackets = 1;
        } else {
            long shift = Math.round(((double) (low + high) / 2 - (double) (g.phaseLow + g.phaseHigh) / 2) / p) * p;
            // the steps scatter by a few ms: a bracket that misses the phase by less still agrees with it
            long l = Math.max(g.phaseLow + shift - STEP_SCATTER_NANOS, low);
            long h = Math.min(g.phaseHigh + shift + STEP_SCATTER_NANOS, high);
            if (h > l && h - l > g.phaseHigh - g.phaseLow) {
                // a bracket that agrees but is wider than the phase narrows nothing: the phase stays. Taken as it
                // came (within the scatter on either side), each such bracket widened the phase by up to 8 ms, and
                // two edge checks in the spell (16 ms brackets) made a learned phase unknown again (session 30)
                l = g.phaseLow + shift;
                h = g.phaseHigh + shift;
            }
            if (h > l && h - l < 2 * STEP_SCATTER_NANOS) { // no narrower than the scatter, or the next step misses it
                long centre = l + (h - l) / 2;
                l = centre - STEP_SCATTER_NANOS;
                h = centre + STEP_SCATTER_NANOS;
            }
            if (l >= h) {
                g.phaseLow = low;
                g.phaseHigh = high;
                g.consistentBrackets = 1;
            } else {
                g.phaseLow = l;
                g.phaseHigh = h;
                g.consistentBrackets++;
            }
        }
        g.phaseKnown = g.consistentBrackets >= LEARNED_BRACKETS
                && g.phaseHigh - g.phaseLow <= PHASE_TOLERANCE_MS * 1_000_000L;
        g.aimed = g.phaseKnown && !boundariesOnly;
        if (g.aimed) {
            long spacing = adaptive ? SPARSE_SPACING.toNanos() : huntSpacingNanos;
            long periods = (high + spacing - g.phaseLow) / p;
            g.targetLow = g.phaseLow + periods * p;
            g.targetHigh = g.phaseHigh + periods * p;
        }
    }

    /**
     * Every counter's updates scatter about their grid by {@link #UPDATE_SCATTER_NANOS} (measured
     * on an H200; the same is assumed for other GPUs), so no learned update moment is taken to be
     * known better, in a trace's own fit as on a grid.
     */
    @Override
    public Map<String, Double> counterScatterNanos() {
        Map<String, Double> out = new java.util.LinkedHashMap<>();
        for (GpuState g : gpus) {
            if (g.counterChannel >= 0) {
                out.put(channels.get(g.counterChannel).name(), UPDATE_SCATTER_NANOS);
            }
        }
        return out;
    }

    /**
     * Starts each GPU whose counter an earlier fork learned from that grid: its phase window is the
     * grid's step nearest now, widened by the steps' scatter and the drift since, and
     * {@value #CONFIRMING_BRACKETS} tight brackets inside it make the phase known, instead of
     * {@value #LEARNED_BRACKETS} from nothing. A bracket outside it starts the phase over, as
     * during any learning. Grids older than {@link #GRID_MEMORY_NANOS}, or from the future (another
     * clock), are ignored.
     */
    @Override
    public void startFrom(Map<String, CounterGrid> earlier) {
        long now = nanoClock.getAsLong();
        long p = UPDATE_PERIOD.toNanos();
        for (GpuState g : gpus) {
            CounterGrid grid = g.counterChannel < 0 ? null : earlier.get(channels.get(g.counterChannel).name());
            if (grid == null || g.consistentBrackets > 0) {
                continue;
            }
            long age = now - grid.anchorNanos();
            if (age < 0 || age > GRID_MEMORY_NANOS) {
                continue;
            }
            long step = grid.anchorNanos() + Math.round((double) age / p) * p;
            long half = STEP_SCATTER_NANOS + Math.round(age * GRID_DRIFT_PER_SECOND);
            if (2 * half > PHASE_TOLERANCE_MS * 1_000_000L) {
                continue;
            }
            g.phaseLow = step - half;
            g.phaseHigh = step + half;
            g.consistentBrackets = LEARNED_BRACKETS - CONFIRMING_BRACKETS;
            g.aimed = true; // the first hunt starts just before the step the grid predicts
            g.targetLow = g.phaseLow;
            g.targetHigh = g.phaseHigh;
        }
    }

    /**
     * Each counter's grid once its phase is known ({@code LEARNED_BRACKETS} consistent tight
     * brackets within {@code PHASE_TOLERANCE_MS}), fitted to the tight brackets of the last
     * {@link #GRID_REACH_NANOS} ({@link CounterUpdates#gridFrom}); the sensor's own phase interval
     * only aims hunts and edge checks. Empty for a GPU still learning.
     */
    @Override
    public Map<String, CounterGrid> counterGrids() {
        Map<String, CounterGrid> grids = new java.util.LinkedHashMap<>();
        for (GpuState g : gpus) {
            if (g.counterChannel < 0 || !g.phaseKnown) {
                continue;
            }
            CounterGrid grid = gridOf(g);
            if (grid != null) {
                grids.put(channels.get(g.counterChannel).name(), grid);
            }
        }
        return grids;
    }

    /** The grid GPU {@code g}'s kept tight brackets give, those within {@link #GRID_REACH_NANOS} of the newest; null for fewer than three. */
    private static CounterGrid gridOf(GpuState g) {
        int kept = Math.min(g.brackets, KEPT_BRACKETS);
        if (kept == 0) {
            return null;
        }
        long newest = g.bracketHi[(g.brackets - 1) % KEPT_BRACKETS];
        long[] lo = new long[kept];
        long[] hi = new long[kept];
        int n = 0;
        for (int k = g.brackets - kept; k < g.brackets; k++) {
            if (newest - g.bracketHi[k % KEPT_BRACKETS] <= GRID_REACH_NANOS) {
                lo[n] = g.bracketLo[k % KEPT_BRACKETS];
                hi[n] = g.bracketHi[k % KEPT_BRACKETS];
                n++;
            }
        }
        return CounterUpdates.gridFrom(Arrays.copyOf(lo, n), Arrays.copyOf(hi, n), UPDATE_PERIOD.toNanos(),
                "the nvml sensor's own brackets");
    }

    /**
     * One of GPU {@code g}'s update moments, for aiming reads ({@link #aimedReadStart},
     * {@link #straddleClose}): the learned grid's, fitted again only when a bracket has been added,
     * else the middle of the phase interval. The phase interval, narrowed bracket by bracket, may
     * sit a few ms off the steps (on a fake driver its middle lay up to 3.3 ms early, where the grid
     * fitted to the same brackets lay 0.5 ms early), which is enough to begin an aimed read in the
     * cycle's costly part.
     */
    private static long updateCentre(GpuState g) {
        if (g.gridBrackets != g.brackets) {
            CounterGrid grid = gridOf(g);
            g.gridAnchor = grid != null ? grid.anchorNanos() : Long.MIN_VALUE;
            g.gridBrackets = g.brackets;
        }
        return g.gridAnchor != Long.MIN_VALUE ? g.gridAnchor : g.phaseLow + (g.phaseHigh - g.phaseLow) / 2;
    }

    /**
     * Reads every GPU's clock event reasons, temperature and SM clock (each a call of about a
     * microsecond) every {@code conditionsPeriod} and on boundary samples, and on boundaries its
     * hold-back times where they are offered ({@link NvmlHoldBackTimes}). A GPU that does not
     * offer the reasons stops being asked; temperature or clock alone may be missing (NaN), and a
     * failed read of the hold-back times leaves them out of that reading.
     */
    private void readConditions(long now, boolean boundary) {
        nextConditions = now + conditionsPeriodNanos;
        if (!conditionsOffered) {
            return;
        }
        for (GpuState g : gpus) {
            long mask;
            try {
                mask = library.clocksEventReasons(g.handle);
            } catch (NvmlException e) {
                conditionsOffered = false;
                conditionsRefusal = e.getMessage();
                return;
            }
            double temperature;
            double clock;
            try {
                temperature = library.temperatureCelsius(g.handle);
            } catch (NvmlException e) {
                temperature = Double.NaN;
            }
            try {
                clock = library.smClockMHz(g.handle);
            } catch (NvmlException e) {
                clock = Double.NaN;
            }
            Map<String, Long> heldBack = Map.of();
            if (boundary && g.holdBackFields != null) {
                try {
                    heldBack = NvmlHoldBackTimes.read(library, g.handle, g.holdBackFields);
                } catch (NvmlException e) {
                    failed(e.getMessage());
                }
            }
            conditions.add(new DeviceCondition(now, g.uuid, NvmlClockEvents.names(mask), temperature, clock, heldBack));
        }
    }

    @Override
    public List<DeviceCondition> drainConditions() {
        List<DeviceCondition> out = List.copyOf(conditions);
        conditions.clear();
        return out;
    }

    private void failed(String message) {
        readErrors++;
        lastError = message;
    }

    /** 100 ms: power, instant power and the counter all refresh about this often. */
    @Override
    public Duration updatePeriod() {
        return UPDATE_PERIOD;
    }

    /** GPU names, UUIDs, versions, limits and which readings worked, as found at open. */
    public NvmlMetadata metadata() {
        return metadata;
    }

    @Override
    public java.util.Map<String, String> environment() {
        java.util.Map<String, String> env = new java.util.LinkedHashMap<>(metadata.asProperties());
        for (GpuState g : gpus) {
            if (g.powerSource == PowerSource.DRIVER_BUFFER) {
                env.put("powerBuffer", "the driver's buffered power samples (nvmlDeviceGetSamples), fetched every "
                        + metadata.bufferPeriod().toMillis() + " ms"
                        + (learnedBufferPeriod ? " (three quarters of the " + bufferHeld.toMillis()
                                + " ms the driver's buffer held at open)" : "")
                        + " and on boundaries, each at the driver's wall-clock stamp"
                        + " moved onto System.nanoTime() by the clocks' offset read at each fetch");
                break;
            }
        }
        if (boundariesOnly) {
            env.put("aimReads", aimReads
                    ? "on: a boundary's counter read waits up to about 22 ms for the cheap part of the driver's 20 ms cycle"
                    : "off: a boundary's counter read is taken at once");
            env.put("closeStraddle", straddle
                    ? "on: a window's close reads each counter again just after the first update past its end"
                    : "off: a window's close reads each counter once (and again near a predicted update)");
        }
        int holdBack = 0;
        for (GpuState g : gpus) {
            holdBack += g.holdBackFields != null ? 1 : 0;
        }
        env.put("conditions", conditionsOffered
                ? "clock event reasons, temperature and SM clock read every " + conditionsPeriodNanos / 1_000_000
                        + " ms and on boundaries; hold-back times (NVML perf policies) read on boundaries on " + holdBack
                        + " of " + gpus.length + " GPU(s)"
                : "not read: " + conditionsRefusal);
        return env;
    }

    /**
     * Buffer fetches that found samples gone since the fetch before (the driver had dropped them):
     * 0 where every sample was fetched. Read it from the sampling thread or after.
     */
    public long bufferLosses() {
        return bufferLosses;
    }

    /** About how much time those fetches found gone, in all. */
    public Duration bufferLost() {
        return Duration.ofNanos(bufferLostMicros * 1000);
    }

    /** The time between buffer fetches now: as opened, or shorter where a learned one found samples gone. */
    public Duration bufferPeriod() {
        return Duration.ofNanos(bufferPeriodNanos);
    }

    /** Reads that failed since open (each wrote NaN). Read it from the sampling thread or after. */
    public long readErrors() {
        return readErrors;
    }

    /** The last failed read's message, or null. */
    public String lastError() {
        return lastError;
    }

    /** Times an energy counter went backwards (driver reload, GPU reset) and was restarted from. */
    public int counterRestarts() {
        int n = 0;
        for (GpuState g : gpus) {
            n += g.energy == null ? 0 : g.energy.restarts();
        }
        return n;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            try {
                library.shutdown();
            } catch (RuntimeException e) {
                // close never throws; the process is ending its use of NVML either way
            }
        }
    }
}
