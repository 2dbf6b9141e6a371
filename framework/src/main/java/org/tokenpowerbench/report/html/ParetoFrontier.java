package org.tokenpowerbench.report.html;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The points of the latency–energy plane that no other point beats on both axes: nothing else
 * has a TPOT as low or lower <em>and</em> a J/outputToken as low or lower with one of them
 * strictly lower. These are the configurations worth choosing between; every other one costs
 * more energy for the same speed or is slower for the same energy.
 */
final class ParetoFrontier {

    private ParetoFrontier() {
    }

    /**
     * Indices of the frontier's points, in order of rising latency; points with a non-finite
     * coordinate take no part.
     */
    static List<Integer> of(double[] latency, double[] energy) {
        List<Integer> order = new ArrayList<>(IntStream.range(0, latency.length)
                .filter(i -> Double.isFinite(latency[i]) && Double.isFinite(energy[i])).boxed().toList());
        order.sort(Comparator.<Integer>comparingDouble(i -> latency[i]).thenComparingDouble(i -> energy[i]));
        List<Integer> frontier = new ArrayList<>();
        double best = Double.POSITIVE_INFINITY;
        for (int i : order) {
            if (energy[i] < best) {
                frontier.add(i);
                best = energy[i];
            }
        }
        return frontier;
    }
}
