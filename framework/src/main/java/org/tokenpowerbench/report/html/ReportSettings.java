package org.tokenpowerbench.report.html;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.tokenpowerbench.report.CostInputs;
import org.tokenpowerbench.report.ServiceObjectives;
import org.tokenpowerbench.report.TrafficProfile;

/**
 * What the reader asked of the page beyond the records: the objectives the best setting must meet
 * ({@code report --slo}, else the benchmark's {@code @Slo}) and what turns energy into carbon and
 * cost ({@code report --carbon ...}), and the day of traffic to forecast ({@code report --forecast}).
 *
 * @param slo  the objectives; {@link ServiceObjectives#none()} for no choice
 * @param cost grid intensity, PUE and prices; null when not asked for
 * @param forecast the day of traffic of {@code --forecast}; null when not asked for
 */
record ReportSettings(ServiceObjectives slo, CostInputs cost, TrafficProfile forecast) {

    ReportSettings(ServiceObjectives slo) {
        this(slo, null, null);
    }

    /** What a run folder itself asks for: its benchmark's {@code @Slo}, if any. */
    static ReportSettings of(Path runDir) {
        try {
            return new ReportSettings(ServiceObjectives.fromRunFolder(runDir));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + runDir + ": " + e.getMessage(), e);
        }
    }
}
