package org.tokenpowerbench.sweep;

import org.tokenpowerbench.UserError;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.tokenpowerbench.client.RequestBodyFields;
import org.tokenpowerbench.workload.ArrivalProcess;
import org.tokenpowerbench.workload.DatasetFile;
import org.tokenpowerbench.workload.LengthDistribution;

/**
 * Checks, before the first fork, the parameter values of every trial of the sweep that its trial
 * would otherwise reject only once it starts (perhaps hours into the sweep): counts, open-loop
 * values, length distributions, wave lengths and dataset files. Only TokenPowerBench benchmarks (those with an {@code engine}
 * parameter) are checked, and only the parameters they have. The messages are the trial's own
 * where a public method gives them ({@link ArrivalProcess}, {@link DatasetFile#read}), the same
 * words otherwise.
 */
final class ParameterCheck {

    /** Counts that must be at least 1. */
    private static final Set<String> AT_LEAST_ONE = Set.of("batch", "prompts", "outputTokens", "inputTokens",
            "contextLength");

    private final Set<String> checked = new HashSet<>();

    private ParameterCheck() {
    }

    /** @throws IllegalArgumentException with one line naming the value and what to do */
    static void check(Collection<Trial> trials) {
        ParameterCheck c = new ParameterCheck();
        for (Trial t : trials) {
            c.check(t);
        }
    }

    private void check(Trial trial) {
        Map<String, String> p = trial.params();
        if (!p.containsKey("engine")) {
            return; // a plain JMH benchmark: its parameters are its own business
        }
        for (Map.Entry<String, String> e : p.entrySet()) {
            String name = e.getKey();
            String value = e.getValue();
            if (!checked.add(name + "=" + value)) {
                continue;
            }
            if (AT_LEAST_ONE.contains(name)) {
                atLeast(name, value, 1, "it must be at least 1");
            } else if (name.equals("maxConcurrency")) {
                atLeast(name, value, 0, "give the most requests in flight at once, or 0 for no bound");
            } else if (name.equals("warmupRequests")) {
                atLeast(name, value, 0, "give 0 or more");
            } else if (name.equals("rate")) {
                double rate = number(name, value, "requests per second > 0, or 0 for a closed loop");
                if (rate != 0) {
                    ArrivalProcess.of(rate, "poisson", 1);
                }
            } else if (name.equals("burstiness")) {
                ArrivalProcess.of(1, "gamma", number(name, value, "a gamma shape > 0 (1 is Poisson, below 1 bursty)"));
            } else if (name.equals("arrivals")) {
                ArrivalProcess.of(1, value, 1);
            } else if (name.equals("dataset")) {
                DatasetFile.read(Path.of(value.trim()));
            } else if (name.equals("requestFields")) {
                RequestBodyFields.parse(name, value);
            } else if (name.equals("inputLengths") || name.equals("outputLengths")) {
                LengthDistribution.parse(name, value);
            } else if (name.equals("waveSeconds")) {
                double seconds = number(name, value, "seconds from 0 to 86400 (0 sends the prompt set once)");
                if (!(seconds >= 0) || seconds > 86_400) { // BenchmarkSpec.waveNanos's words
                    throw new UserError("waveSeconds=" + seconds + " is not a wave length: give seconds"
                            + " from 0 to 86400 (0 sends the prompt set once) with -p waveSeconds=...");
                }
            }
        }
        if (p.containsKey("rate")) {
            double rate = Double.parseDouble(p.get("rate"));
            if (rate != 0) { // the combination, as the trial makes it (e.g. Poisson arrivals with a burstiness)
                ArrivalProcess.of(rate, p.getOrDefault("arrivals", "poisson"),
                        p.containsKey("burstiness") ? Double.parseDouble(p.get("burstiness")) : 1);
            }
        }
    }

    private static void atLeast(String name, String value, int min, String what) {
        int v;
        try {
            v = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new UserError(name + "=" + value + " is not a whole number: " + what + " (-p " + name
                    + "=...)");
        }
        if (v < min) {
            throw new UserError(name + "=" + value + " is not allowed: " + what + " (-p " + name + "=...)");
        }
    }

    private static double number(String name, String value, String what) {
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new UserError(name + "=" + value + " is not a number: give " + what + " (-p " + name
                    + "=...)");
        }
    }
}
