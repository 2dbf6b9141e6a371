package org.tokenpowerbench.jmh;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.tokenpowerbench.energy.IdleHalves;
import org.tokenpowerbench.power.Method;
import org.tokenpowerbench.power.PowerChannel;
import org.tokenpowerbench.power.PowerSampler;
import org.tokenpowerbench.power.Scope;

/**
 * Whether a GPU's power held still over the idle window: the mean of each measured GPU power
 * channel over the window's first half against its second. Where one moved by more than
 * {@link #SHARE} of its level (and at least {@link #FLOOR_WATTS}), the GPU had not settled, and
 * {@link InferenceSession} measures the window again.
 *
 * <p>Why: in session 14's twelve reruns on an H200 (docs/gpu-proof.md), each fork's idle baseline
 * agreed with the fork's before or after it (12-20 s apart) within 1.2 W at 127-130 W, except two
 * that read 133.2-133.3 W, 5.6 W (4.4 %) above both neighbours, 6.6-8.2 times the stated
 * uncertainty of the difference, with the power's spread over the window (its standard error,
 * 0.47-0.48 W) two to eight times the others' (0.06-0.23 W). A baseline taken while the GPU's power is
 * still moving (clocks coming down after the last wave, a stray kernel) moves every wave's dynamic
 * energy in the fork: there it widened the dynamic energy's interval from about ±3-5 % to ±14 %.
 *
 * <p>Only GPU power channels that are measured (not estimated) are checked: a CPU package's or a
 * CPU-time estimate's idle power wanders by more than this on its own, and what was seen to move
 * is the GPU's. Counters are left out: read at the window's edges only, they say nothing of its halves.
 */
final class IdleSettling {

    /** How far the halves may differ, as a share of their mean: 2 %, about 2.5 W at an H200's 127 W idle. */
    static final double SHARE = 0.02;
    /** And in watts at least: 1 W, so that a GPU idling at a few watts is not measured again for noise. */
    static final double FLOOR_WATTS = 1.0;

    private IdleSettling() {
    }

    /**
     * Each measured GPU power channel's means over the two halves of {@code [fromNanos, toNanos]},
     * where both halves hold a reading.
     */
    static List<IdleHalves> halves(Collection<PowerSampler> samplers, long fromNanos, long toNanos) {
        List<IdleHalves> out = new ArrayList<>();
        long mid = fromNanos + (toNanos - fromNanos) / 2;
        for (PowerSampler sampler : samplers) {
            List<PowerChannel> channels = sampler.sensor().channels();
            for (int c = 0; c < channels.size(); c++) {
                PowerChannel channel = channels.get(c);
                if (channel.scope() != Scope.GPU || channel.method() == Method.ESTIMATED
                        || channel.kind() != PowerChannel.Kind.POWER_WATTS) {
                    continue;
                }
                double first = sampler.meanWatts(c, fromNanos, mid);
                double second = sampler.meanWatts(c, mid, toNanos);
                if (Double.isFinite(first) && Double.isFinite(second)) {
                    out.add(new IdleHalves(sampler.sensor().id(), channel.name(), first, second));
                }
            }
        }
        return out;
    }

    /**
     * What moved: one phrase per channel whose halves differ beyond the limit
     * ({@code gpu0.power-buffer 140.2 W then 127.1 W}); empty where every one held still or none
     * could tell.
     */
    static List<String> moved(List<IdleHalves> halves) {
        List<String> out = new ArrayList<>();
        for (IdleHalves h : halves) {
            if (Math.abs(h.firstWatts() - h.secondWatts())
                    > Math.max(FLOOR_WATTS, SHARE * Math.abs(h.firstWatts() + h.secondWatts()) / 2)) {
                out.add(h.describe());
            }
        }
        return out;
    }
}
