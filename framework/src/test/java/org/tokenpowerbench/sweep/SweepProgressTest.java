package org.tokenpowerbench.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What each fork is told for its progress lines: its place in the sweep and, once a trial has run, the ETA. */
class SweepProgressTest {

    @Test
    void theFirstTrialHasNoEtaAndLaterOnesTheMeanTrialTimesTheTrialsLeft() {
        SweepProgress p = new SweepProgress(true);
        assertEquals(List.of("-Dtpb.progress.terminal=true", "-Dtpb.progress.trial=1", "-Dtpb.progress.trials=4"),
                p.forkArgs(0, 4, 1_000));
        p.trialRan(30_000);
        p.trialRan(10_000);
        // two trials took 20 s on average; trials 3 and 4 are left
        assertEquals(List.of("-Dtpb.progress.terminal=true", "-Dtpb.progress.trial=3", "-Dtpb.progress.trials=4",
                "-Dtpb.progress.etaAt=" + (50_000 + 2 * 20_000)), p.forkArgs(2, 4, 50_000));
    }
}
