package org.tokenpowerbench.report.html;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.tokenpowerbench.report.ServiceObjectives;

/**
 * What the reader asked of the page beyond the records: the objectives the best setting must meet
 * ({@code report --slo}, else the benchmark's {@code @Slo}).
 *
 * @param slo the objectives; {@link ServiceObjectives#none()} for no choice
 */
record ReportSettings(ServiceObjectives slo) {

    /** What a run folder itself asks for: its benchmark's {@code @Slo}, if any. */
    static ReportSettings of(Path runDir) {
        try {
            return new ReportSettings(ServiceObjectives.fromRunFolder(runDir));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + runDir + ": " + e.getMessage(), e);
        }
    }
}
