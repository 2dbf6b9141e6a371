package org.tokenpowerbench.report;

import java.nio.file.Path;
import java.util.List;

/**
 * Where a sweep stands, as its listeners see it after every trial.
 *
 * @param runDir   the run folder
 * @param total    trials in the sweep
 * @param done     trials ended so far (run in this command, or skipped as complete by a resume)
 * @param results  the results of every complete trial so far, recorded ones of a resume included
 * @param failed   the trials of this command that failed
 */
public record SweepState(Path runDir, int total, int done, List<TrialResult> results, List<FailedTrial> failed) {

    public SweepState {
        results = List.copyOf(results);
        failed = List.copyOf(failed);
    }
}
