package org.tokenpowerbench.power.nvml;

import com.sun.jna.Memory;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * An {@link NvmlLibrary} that behaves as NVML documents: unsupported calls return
 * {@code NOT_SUPPORTED}, an unsupported field fails per field while the call succeeds, field
 * values travel through native memory in the real {@code nvmlFieldValue_t} layout, and calls
 * before {@code init} return {@code UNINITIALIZED}.
 */
final class FakeNvml implements NvmlLibrary {

    /** One simulated GPU. */
    static final class Gpu {
        final String uuid;
        final String name;
        boolean counter = true;
        boolean instantField = true;
        boolean powerUsage = true;
        double watts = 100;
        long counterMillijoulesAtZero = 5_000_000;
        long counterResetAtNanos = Long.MAX_VALUE;
        int failingCounterReads;
        /** 0: the counter is exact at every read; else it takes its value only at updates every this many ns. */
        long counterUpdateNanos;
        /** Where on the clock the updates fall: at phase + k * counterUpdateNanos (+ jitter). */
        long counterUpdatePhaseNanos;
        /**
         * Each update moment moved by up to ± this many ns, the same for update k at every read
         * (an H200's steps scatter about ±3 ms around their grid); 0: exactly on the grid.
         */
        long counterJitterNanos;
        /** Joules used up to a clock instant, where power varies; null: {@link #watts} since time 0. */
        java.util.function.LongToDoubleFunction joulesAt;
        /** 0: no power-sample buffer (nvmlDeviceGetSamples fails); else a sample every this many ns, on a grid from 0. */
        long bufferSpacingNanos;
        /** How many samples the buffer holds (the newest ones). */
        int bufferDepth = 120;
        int bufferFetches;
        /** The next this many buffer fetches fail (a GPU lost for a moment). */
        int failingBufferFetches;
        int counterReads;
        /** How long a counter read keeps the caller, passed to {@link FakeNvml#spend} (an H200's driver busy-waits about 4 ms). */
        long counterReadNanos;
        /**
         * 0: none; else a read that begins within this long after an update is held until then, and
         * returns that update's value (an H100's driver: every read begun in the ~16 ms after a step
         * returned 16-20 ms after it, session 28's counter logs).
         */
        long slowSpellNanos;
        /**
         * 0: none; else a read begun within this long before an update is held until the spell
         * after it ends ({@link #slowSpellNanos}, at least 16 ms) and returns the update's value: what
         * an H100's driver did, now and then, in session 29 (a read begun 14 ms before an update held
         * until just after it with the old value, the next begun 3 ms before it held 24 ms with the new).
         */
        long holdBeforeNanos;
        /** How long reads were held by that spell beyond {@link #counterReadNanos}, in all. */
        long heldNanos;
        /**
         * 0: none; else a read begun past the spell in the first 7 ms of each 20 ms after an update
         * (20-27, 40-47, 60-67 and 80-87 ms after it) takes this much longer: the driver's own 20 ms
         * cycle (session 29's reading of seventeen H100 and H200 counter logs: about 4.8 ms there
         * against 2.7-3.1 ms 28-36 ms after an update).
         */
        long cycleExtraNanos;
        /** How long counter reads kept their callers, in all, and how many were held by the spell or the cycle. */
        long counterBusyNanos;
        int costlyReads;
        int fieldReads;
        /** Clock event reasons now; negative: the call is not supported on this GPU. */
        long clockEvents;
        int temperatureC = 45;
        int smClockMHz = 1980;
        /**
         * The cumulative hold-back times of fields 74, 75, 77 and 79 (power, thermal, board limit,
         * reliability), nanoseconds, as a test sets them; null: the fields are not supported. An
         * entry below 0 is not supported on its own.
         */
        long[] holdBackNanos;
        /** How long a read of the hold-back fields keeps the caller, passed to {@link FakeNvml#spend}. */
        long holdBackReadNanos;
        /** How much longer a read that asks for field 75 (the thermal policy) keeps it: 0.65 ms on an H200. */
        long thermalPolicyReadNanos;
        /** Whether field 269 (the software thermal slowdown, NVML 13's numbering) answers, with the thermal time. */
        boolean swThermalField;
        /** Whether field 269 answers as some other field would (an unsigned int): an older numbering. */
        boolean field269IsSomethingElse;
        int holdBackReads;

        Gpu(String uuid, String name) {
            this.uuid = uuid;
            this.name = name;
        }
    }

    final List<Gpu> gpus = new ArrayList<>();
    final LongSupplier clock;
    /** Moves a test's own clock on by a call's duration ({@link Gpu#counterReadNanos}); by default time does not move. */
    java.util.function.LongConsumer spend = nanos -> { };
    /** The fake host's wall clock is {@link #clock} plus this (nanoseconds since the epoch); the buffer's stamps are on it. */
    long wallOffsetNanos = 1_796_000_000_000_000_000L;
    int initResult = NvmlReturn.SUCCESS;
    int inits;
    int shutdowns;

    FakeNvml(LongSupplier clock, Gpu... gpus) {
        this.clock = clock;
        this.gpus.addAll(List.of(gpus));
    }

    static Gpu h200(String uuid) {
        return new Gpu(uuid, "NVIDIA H200");
    }

    private void requireInit(String function) {
        if (inits <= shutdowns) {
            throw new NvmlException(function, NvmlReturn.UNINITIALIZED, "Uninitialized");
        }
    }

    private Gpu gpu(String function, NvmlDeviceHandle h) {
        requireInit(function);
        int i = (int) h.address() - 0x1000;
        if (i < 0 || i >= gpus.size()) {
            throw new NvmlException(function, NvmlReturn.INVALID_ARGUMENT, "Invalid Argument");
        }
        return gpus.get(i);
    }

    @Override
    public void init() {
        if (initResult != NvmlReturn.SUCCESS) {
            throw new NvmlException("nvmlInit_v2", initResult, errorString(initResult));
        }
        inits++;
    }

    @Override
    public int shutdown() {
        if (inits <= shutdowns) {
            return NvmlReturn.UNINITIALIZED;
        }
        shutdowns++;
        return NvmlReturn.SUCCESS;
    }

    @Override
    public String errorString(int code) {
        return switch (code) {
            case NvmlReturn.NOT_SUPPORTED -> "Not Supported";
            case NvmlReturn.DRIVER_NOT_LOADED -> "Driver Not Loaded";
            case NvmlReturn.GPU_IS_LOST -> "GPU is lost";
            default -> NvmlReturn.name(code);
        };
    }

    @Override
    public String driverVersion() {
        requireInit("nvmlSystemGetDriverVersion");
        return "580.159.04";
    }

    @Override
    public String nvmlVersion() {
        requireInit("nvmlSystemGetNVMLVersion");
        return "13.580.159.04";
    }

    @Override
    public int deviceCount() {
        requireInit("nvmlDeviceGetCount_v2");
        return gpus.size();
    }

    @Override
    public NvmlDeviceHandle handleByIndex(int index) {
        requireInit("nvmlDeviceGetHandleByIndex_v2");
        if (index < 0 || index >= gpus.size()) {
            throw new NvmlException("nvmlDeviceGetHandleByIndex_v2", NvmlReturn.INVALID_ARGUMENT, "Invalid Argument");
        }
        return new NvmlDeviceHandle(0x1000 + index);
    }

    @Override
    public String uuid(NvmlDeviceHandle device) {
        return gpu("nvmlDeviceGetUUID", device).uuid;
    }

    @Override
    public String name(NvmlDeviceHandle device) {
        return gpu("nvmlDeviceGetName", device).name;
    }

    @Override
    public long enforcedPowerLimitMilliwatts(NvmlDeviceHandle device) {
        gpu("nvmlDeviceGetEnforcedPowerLimit", device);
        return 700_000;
    }

    @Override
    public long totalEnergyConsumptionMillijoules(NvmlDeviceHandle device) {
        Gpu g = gpu("nvmlDeviceGetTotalEnergyConsumption", device);
        if (!g.counter) {
            throw new NvmlException("nvmlDeviceGetTotalEnergyConsumption", NvmlReturn.NOT_SUPPORTED, "Not Supported");
        }
        if (g.failingCounterReads > 0) {
            g.failingCounterReads--;
            throw new NvmlException("nvmlDeviceGetTotalEnergyConsumption", NvmlReturn.GPU_IS_LOST, "GPU is lost");
        }
        g.counterReads++;
        long keep = g.counterReadNanos;
        if (g.slowSpellNanos > 0 && g.counterUpdateNanos > 0) {
            long step = latestUpdate(g, clock.getAsLong());
            long spellLeft = step + g.slowSpellNanos - clock.getAsLong();
            if (spellLeft > keep) { // begun in the spell after a step: held until it ends
                g.heldNanos += spellLeft - keep;
                keep = spellLeft;
            }
        }
        if (g.holdBeforeNanos > 0 && g.counterUpdateNanos > 0) {
            long t = clock.getAsLong();
            long next = latestUpdate(g, t + g.holdBeforeNanos);
            if (next > t) { // an update comes within holdBeforeNanos: held until its spell ends
                long until = next + Math.max(g.slowSpellNanos, 16_000_000L) - t;
                if (until > keep) {
                    g.heldNanos += until - keep;
                    keep = until;
                }
            }
        }
        if (g.cycleExtraNanos > 0 && g.counterUpdateNanos > 0) {
            long since = clock.getAsLong() - latestUpdate(g, clock.getAsLong());
            if (since >= 20_000_000L && since % 20_000_000L < 7_000_000L) {
                keep += g.cycleExtraNanos;
            }
        }
        if (keep > g.counterReadNanos) {
            g.costlyReads++;
        }
        g.counterBusyNanos += keep;
        if (keep > 0) {
            spend.accept(keep); // the value is the one as the read returns, as a real H100's is
        }
        long now = clock.getAsLong();
        if (g.counterUpdateNanos > 0) {
            now = latestUpdate(g, now);
        }
        long mj = g.joulesAt != null ? (long) Math.floor(g.joulesAt.applyAsDouble(now) * 1000)
                : Math.round(g.watts * now / 1e6);
        return now >= g.counterResetAtNanos
                ? Math.round(g.watts * (now - g.counterResetAtNanos) / 1e6)
                : g.counterMillijoulesAtZero + mj;
    }

    /** The latest update moment at or before {@code now}, each moved by its own jitter. */
    private static long latestUpdate(Gpu g, long now) {
        long k = Math.floorDiv(now - g.counterUpdatePhaseNanos, g.counterUpdateNanos) + 1;
        while (updateMoment(g, k) > now) {
            k--;
        }
        return updateMoment(g, k);
    }

    static long updateMoment(Gpu g, long k) {
        long grid = g.counterUpdatePhaseNanos + k * g.counterUpdateNanos;
        if (g.counterJitterNanos == 0) {
            return grid;
        }
        long h = k * 0x9E3779B97F4A7C15L; // a fixed scatter per update, from its number
        h ^= h >>> 29;
        h *= 0xBF58476D1CE4E5B9L;
        h ^= h >>> 32;
        double unit = (h >>> 11) / (double) (1L << 53); // [0, 1)
        return grid + Math.round((2 * unit - 1) * g.counterJitterNanos);
    }

    /** The fake host's wall clock, nanoseconds since the epoch. */
    long wallNanos() {
        return clock.getAsLong() + wallOffsetNanos;
    }

    /** Power at {@code t} (clock ns): the mean over the millisecond around it. */
    static double wattsAt(Gpu g, long t) {
        if (g.joulesAt == null) {
            return g.watts;
        }
        return (g.joulesAt.applyAsDouble(t + 500_000) - g.joulesAt.applyAsDouble(t - 500_000)) / 1e-3;
    }

    @Override
    public int totalPowerSamples(NvmlDeviceHandle device, long afterMicros, long[] timesMicros, double[] milliwatts) {
        Gpu g = gpu("nvmlDeviceGetSamples", device);
        if (g.bufferSpacingNanos <= 0) {
            throw new NvmlException("nvmlDeviceGetSamples", NvmlReturn.NOT_SUPPORTED, "Not Supported");
        }
        g.bufferFetches++;
        if (g.failingBufferFetches > 0) {
            g.failingBufferFetches--;
            throw new NvmlException("nvmlDeviceGetSamples", NvmlReturn.GPU_IS_LOST, "GPU is lost");
        }
        long now = clock.getAsLong();
        long newest = Math.floorDiv(now, g.bufferSpacingNanos);
        long oldest = newest - g.bufferDepth + 1;
        int n = 0;
        for (long k = oldest; k <= newest && n < Math.min(timesMicros.length, milliwatts.length); k++) {
            long t = k * g.bufferSpacingNanos;
            long stamp = (t + wallOffsetNanos) / 1000;
            if (stamp <= afterMicros) {
                continue;
            }
            timesMicros[n] = stamp;
            milliwatts[n] = Math.round(wattsAt(g, t) * 1000);
            n++;
        }
        return n;
    }

    @Override
    public long powerUsageMilliwatts(NvmlDeviceHandle device) {
        Gpu g = gpu("nvmlDeviceGetPowerUsage", device);
        if (!g.powerUsage) {
            throw new NvmlException("nvmlDeviceGetPowerUsage", NvmlReturn.NOT_SUPPORTED, "Not Supported");
        }
        return Math.round(g.watts * 1000);
    }

    @Override
    public List<NvmlFieldValue> fieldValues(NvmlDeviceHandle device, int scopeId, int... fieldIds) {
        Gpu g = gpu("nvmlDeviceGetFieldValues", device);
        if (java.util.Arrays.stream(fieldIds).anyMatch(id -> holdBackIndex(id) >= 0 || id == 269)) {
            g.holdBackReads++; // counted apart from the power field's reads
            boolean thermalPolicy = java.util.Arrays.stream(fieldIds).anyMatch(id -> id == 75);
            spend.accept(g.holdBackReadNanos + (thermalPolicy ? g.thermalPolicyReadNanos : 0));
        } else {
            g.fieldReads++;
        }
        try (Memory m = new Memory((long) NvmlFields.SIZE * fieldIds.length)) {
            for (int i = 0; i < fieldIds.length; i++) {
                NvmlFields.writeRequest(m, i, fieldIds[i], scopeId);
            }
            // what the driver writes back
            for (int i = 0; i < fieldIds.length; i++) {
                long base = (long) i * NvmlFields.SIZE;
                m.setLong(base + 8, clock.getAsLong() / 1000);
                int holdBack = fieldIds[i] == 269 ? (g.swThermalField ? 1 : -1) : holdBackIndex(fieldIds[i]);
                if (fieldIds[i] == NvmlFields.POWER_INSTANT && g.instantField) {
                    m.setInt(base + 24, NvmlValueType.UNSIGNED_INT.code());
                    m.setInt(base + 28, NvmlReturn.SUCCESS);
                    m.setInt(base + 32, (int) Math.round(g.watts * 1000));
                } else if (fieldIds[i] == 269 && g.field269IsSomethingElse) {
                    m.setInt(base + 24, NvmlValueType.UNSIGNED_INT.code());
                    m.setInt(base + 28, NvmlReturn.SUCCESS);
                    m.setInt(base + 32, 1);
                } else if (holdBack >= 0 && g.holdBackNanos != null && g.holdBackNanos[holdBack] >= 0) {
                    m.setInt(base + 24, NvmlValueType.UNSIGNED_LONG_LONG.code());
                    m.setInt(base + 28, NvmlReturn.SUCCESS);
                    m.setLong(base + 32, g.holdBackNanos[holdBack]);
                } else {
                    m.setInt(base + 28, NvmlReturn.NOT_SUPPORTED);
                }
            }
            List<NvmlFieldValue> out = new ArrayList<>();
            for (int i = 0; i < fieldIds.length; i++) {
                out.add(NvmlFields.read(m, i));
            }
            return out;
        }
    }

    /** Where a hold-back field's value sits in {@link Gpu#holdBackNanos}, -1 for other fields. */
    private static int holdBackIndex(int fieldId) {
        return switch (fieldId) {
            case 74 -> 0;
            case 75 -> 1;
            case 77 -> 2;
            case 79 -> 3;
            default -> -1;
        };
    }

    @Override
    public long clocksEventReasons(NvmlDeviceHandle device) {
        Gpu g = gpu("nvmlDeviceGetCurrentClocksEventReasons", device);
        if (g.clockEvents < 0) {
            throw new NvmlException("nvmlDeviceGetCurrentClocksEventReasons", NvmlReturn.NOT_SUPPORTED, "Not Supported");
        }
        return g.clockEvents;
    }

    @Override
    public int temperatureCelsius(NvmlDeviceHandle device) {
        return gpu("nvmlDeviceGetTemperature", device).temperatureC;
    }

    @Override
    public int smClockMHz(NvmlDeviceHandle device) {
        return gpu("nvmlDeviceGetClockInfo", device).smClockMHz;
    }
}
