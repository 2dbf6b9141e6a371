package org.tokenpowerbench.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The measured energy per output token against load (output tokens per second) of one serving
 * configuration under one energy label: one point per trial, read between points by straight
 * lines, so a forecast never invents a shape the sweep did not measure. The lower and upper
 * curves join the points' 95 % interval bounds (a bound below 0 J is taken as 0). Outside the
 * measured loads the curve is clamped to its nearest end, and {@link Reading#position} says so:
 * below the lowest load the J/outputToken there is used (an underestimate where energy per token
 * rises as load falls, and idle power between requests is not counted), above the highest load
 * the highest's (as if more replicas each served that load). Trials of equal load are averaged.
 *
 * @param label  the energy label ({@code nvml}, {@code cpu.estimated})
 * @param config the serving configuration: the trials' parameters other than the load axes
 * @param points the measured points, by load
 */
public record LoadCurve(String label, String config, List<Point> points) {

    /**
     * One trial on the curve.
     *
     * @param trial               its short name
     * @param outputTokensPerS    its measured output tokens per second
     * @param jPerOutputToken     its J/outputToken (the iterations' mean)
     * @param lower               the 95 % interval's lower bound, at least 0; {@code jPerOutputToken} when none
     * @param upper               the 95 % interval's upper bound; {@code jPerOutputToken} when none
     * @param promptPerOutput     measured prompt tokens per output token; NaN when not measured
     */
    public record Point(String trial, double outputTokensPerS, double jPerOutputToken, double lower, double upper,
                        double promptPerOutput) {
    }

    /** Where a load fell on the measured range. */
    public enum Position { INSIDE, BELOW, ABOVE }

    /**
     * The curve read at one load.
     *
     * @param jPerOutputToken the J/outputToken there
     * @param lower           the lower curve there
     * @param upper           the upper curve there
     * @param position        whether the load was inside the measured range or clamped
     */
    public record Reading(double jPerOutputToken, double lower, double upper, Position position) {
    }

    public LoadCurve {
        List<Point> sorted = new ArrayList<>(points);
        sorted.sort(Comparator.comparingDouble(Point::outputTokensPerS));
        List<Point> merged = new ArrayList<>();
        for (int i = 0; i < sorted.size(); ) {
            int j = i;
            while (j < sorted.size() && sorted.get(j).outputTokensPerS() == sorted.get(i).outputTokensPerS()) {
                j++;
            }
            merged.add(j - i == 1 ? sorted.get(i) : mean(sorted.subList(i, j)));
            i = j;
        }
        if (merged.isEmpty()) {
            throw new IllegalArgumentException("a load curve needs at least one point: " + label + " " + config);
        }
        points = List.copyOf(merged);
    }

    private static Point mean(List<Point> same) {
        int n = same.size();
        return new Point(String.join(" + ", same.stream().map(Point::trial).toList()),
                same.get(0).outputTokensPerS(), same.stream().mapToDouble(Point::jPerOutputToken).sum() / n,
                same.stream().mapToDouble(Point::lower).sum() / n, same.stream().mapToDouble(Point::upper).sum() / n,
                same.stream().mapToDouble(Point::promptPerOutput).sum() / n);
    }

    public double lowestLoad() {
        return points.get(0).outputTokensPerS();
    }

    public double highestLoad() {
        return points.get(points.size() - 1).outputTokensPerS();
    }

    public boolean estimated() {
        return label.endsWith(".estimated");
    }

    /** The curves at {@code load} output tokens per second, clamped outside the measured range. */
    public Reading at(double load) {
        Point lo = points.get(0);
        Point hi = points.get(points.size() - 1);
        if (load < lo.outputTokensPerS()) {
            return new Reading(lo.jPerOutputToken(), lo.lower(), lo.upper(), Position.BELOW);
        }
        if (load > hi.outputTokensPerS()) {
            return new Reading(hi.jPerOutputToken(), hi.lower(), hi.upper(), Position.ABOVE);
        }
        for (int i = 0; i + 1 < points.size(); i++) {
            Point a = points.get(i);
            Point b = points.get(i + 1);
            if (load <= b.outputTokensPerS()) {
                double f = (load - a.outputTokensPerS()) / (b.outputTokensPerS() - a.outputTokensPerS());
                return new Reading(a.jPerOutputToken() + f * (b.jPerOutputToken() - a.jPerOutputToken()),
                        a.lower() + f * (b.lower() - a.lower()), a.upper() + f * (b.upper() - a.upper()),
                        Position.INSIDE);
            }
        }
        return new Reading(hi.jPerOutputToken(), hi.lower(), hi.upper(), Position.INSIDE);
    }

    /** The lowest and highest measured prompt tokens per output token; NaNs when not measured. */
    public double[] promptPerOutputRange() {
        double min = Double.NaN;
        double max = Double.NaN;
        for (Point p : points) {
            if (Double.isFinite(p.promptPerOutput())) {
                min = Double.isNaN(min) ? p.promptPerOutput() : Math.min(min, p.promptPerOutput());
                max = Double.isNaN(max) ? p.promptPerOutput() : Math.max(max, p.promptPerOutput());
            }
        }
        return new double[] {min, max};
    }
}
