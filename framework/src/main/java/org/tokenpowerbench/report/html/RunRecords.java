package org.tokenpowerbench.report.html;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.tokenpowerbench.UserError;
import org.tokenpowerbench.report.EnergyRow;
import org.tokenpowerbench.report.FailedTrial;
import org.tokenpowerbench.report.FailureRecord;
import org.tokenpowerbench.report.SummaryFile;
import org.tokenpowerbench.report.TrialResult;

/**
 * Everything the page shows, as read from one run folder's typed records: the trials' results
 * (from the sweep itself, or {@code summary.json}), the per-iteration energy lines
 * ({@link EnergyRow#read}), the waves' token counts and warnings, the failures
 * ({@link FailureRecord#read}), the sensors and the throttled waves.
 *
 * @param failedNow the trials of the command that wrote the results that failed (with their reasons)
 */
record RunRecords(Path runDir, List<TrialResult> trials, List<FailedTrial> failedNow, List<EnergyRow.Line> energy,
                  List<WaveLine> waves, List<FailureRecord> failures, List<SensorLine> sensors,
                  List<ThrottledWave> throttled) {

    RunRecords {
        trials = List.copyOf(trials);
        failedNow = List.copyOf(failedNow);
        energy = List.copyOf(energy);
        waves = List.copyOf(waves);
        failures = List.copyOf(failures);
        sensors = List.copyOf(sensors);
        throttled = List.copyOf(throttled);
    }

    /** The records of {@code runDir} with the results a sweep listener was just given. */
    static RunRecords read(Path runDir, List<TrialResult> trials, List<FailedTrial> failed) {
        try {
            return new RunRecords(runDir, trials, failed, EnergyRow.read(runDir), WaveLine.read(runDir),
                    FailureRecord.read(runDir), SensorLine.read(runDir), ThrottledWave.read(runDir));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + runDir + ": " + e.getMessage(), e);
        }
    }

    /**
     * The records of a finished (or stopped) run folder, its results from {@code summary.json}.
     *
     * @throws UserError when the folder is no run folder
     */
    static RunRecords read(Path runDir) {
        if (!Files.isDirectory(runDir)) {
            throw new UserError("report: " + runDir + " is not a folder; give a run folder (tpb-results/<date>)");
        }
        if (!Files.exists(runDir.resolve(SummaryFile.NAME))) {
            throw new UserError("report: " + runDir + " has no " + SummaryFile.NAME
                    + "; give a run folder a sweep wrote (tpb-results/<date>)");
        }
        SummaryFile.Summary summary;
        try {
            summary = SummaryFile.read(runDir);
        } catch (IOException e) {
            throw new UserError("report: cannot read " + runDir.resolve(SummaryFile.NAME) + ": " + e.getMessage());
        }
        return read(runDir, summary.trials(), summary.failed());
    }
}
