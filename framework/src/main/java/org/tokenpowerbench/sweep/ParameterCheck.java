package org.tokenpowerbench.sweep;

import java.nio.file.Path;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.tokenpowerbench.UserError;
import org.tokenpowerbench.axes.Axis;
import org.tokenpowerbench.client.RequestBodyFields;
import org.tokenpowerbench.workload.ArrivalProcess;
import org.tokenpowerbench.workload.DatasetFile;
import org.tokenpowerbench.workload.LengthDistribution;

/**
 * Checks, before the first fork, the parameter values of every trial of the sweep that its trial
 * would otherwise reject only once it starts (perhaps hours into the sweep). Every value goes
 * through its {@link Axis}'s rule, with the same words as the trial's own check
 * ({@link org.tokenpowerbench.jmh.BenchmarkSpec#check()}); then what only the framework can check: that a dataset file
 * reads, that request fields and length distributions parse, and that the open-loop values make
 * an arrival process together. Only TokenPowerBench benchmarks (those with an {@code engine}
 * parameter) are checked, and only the parameters they have.
 */
final class ParameterCheck {

    private final Set<String> checked = new HashSet<>();

    private ParameterCheck() {
    }

    /** @throws UserError with one line naming the value and what to do */
    static void check(Collection<Trial> trials) {
        ParameterCheck c = new ParameterCheck();
        for (Trial t : trials) {
            c.check(t);
        }
    }

    private void check(Trial trial) {
        Map<String, String> p = trial.params();
        if (!p.containsKey(Axis.ENGINE.paramName())) {
            return; // a plain JMH benchmark: its parameters are its own business
        }
        for (Map.Entry<String, String> e : p.entrySet()) {
            Axis axis = Axis.named(e.getKey());
            if (axis == null || !checked.add(e.getKey() + "=" + e.getValue())) {
                continue;
            }
            String complaint = axis.complaintAboutText(e.getValue());
            if (complaint != null) {
                throw new UserError(complaint);
            }
            framework(axis, e.getValue());
        }
        Object rate = Axis.RATE.type().parse(p.getOrDefault(Axis.RATE.paramName(), "0"));
        if ((Double) rate != 0) { // the combination, as the trial makes it (e.g. Poisson arrivals with a burstiness)
            String burstiness = p.get(Axis.BURSTINESS.paramName());
            trialsOwn(() -> ArrivalProcess.of((Double) rate, p.getOrDefault(Axis.ARRIVALS.paramName(), "poisson"),
                    burstiness == null ? 1 : (Double) Axis.BURSTINESS.type().parse(burstiness)));
        }
    }

    /** What the axis rule cannot check: the framework's own parsers, and the dataset file itself. */
    private static void framework(Axis axis, String value) {
        switch (axis) {
            case DATASET -> trialsOwn(() -> DatasetFile.read(Path.of(value.trim())));
            case REQUEST_FIELDS -> trialsOwn(() -> RequestBodyFields.parse(axis.paramName(), value));
            case INPUT_LENGTHS, OUTPUT_LENGTHS -> trialsOwn(() -> LengthDistribution.parse(axis.paramName(), value));
            default -> {
            }
        }
    }

    /**
     * Runs one of the framework's parsers, whose {@link IllegalArgumentException} is one line about
     * the user's value (the trial reports it the same way), and makes it the {@link UserError} it is.
     */
    private static void trialsOwn(Runnable parse) {
        try {
            parse.run();
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
    }
}
