package org.tokenpowerbench.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tokenpowerbench.UserError;
import org.tokenpowerbench.report.RegressionFile;
import org.tokenpowerbench.report.SummaryFile;
import org.tokenpowerbench.report.SweepListener;
import org.tokenpowerbench.report.SweepState;

/** Listeners observe the sweep; none of them can stop it or silence the others. */
class SweepListenersTest {

    private static final SweepState STATE = new SweepState(Path.of("run"), 3, 1, List.of(), List.of());

    @Test
    void oneThatThrowsIsReportedAndTheOthersAreStillTold() {
        List<String> told = new ArrayList<>();
        SweepListener bug = new SweepListener() {
            @Override
            public void trialEnded(SweepState state) {
                throw new IllegalStateException("a bug in the listener");
            }
        };
        SweepListener mistake = new SweepListener() {
            @Override
            public void trialEnded(SweepState state) {
                throw new UserError("the report folder is not writable: choose another");
            }
        };
        SweepListener fine = new SweepListener() {
            @Override
            public void trialEnded(SweepState state) {
                told.add(state.done() + " of " + state.total());
            }
        };
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SweepListeners listeners = new SweepListeners(List.of(bug, mistake, fine),
                new PrintStream(out, true, StandardCharsets.UTF_8));
        listeners.tell(l -> l.trialEnded(STATE));
        assertEquals(List.of("1 of 3"), told, "the last listener is still told");
        String console = out.toString(StandardCharsets.UTF_8);
        assertTrue(console.contains("failed (a bug in it; the sweep goes on)") && console.contains("\tat "),
                "a bug shows its stack trace: " + console);
        assertTrue(console.contains("the report folder is not writable: choose another"), console);
    }

    @Test
    void theSummaryAndTheRegressionAreFoundOnTheClassPath() {
        List<Class<?>> found = new ArrayList<>();
        java.util.ServiceLoader.load(SweepListener.class).forEach(l -> found.add(l.getClass()));
        assertTrue(found.contains(SummaryFile.class) && found.contains(RegressionFile.class), found.toString());
        assertEquals(found.size(), SweepListeners.discovered().size());
    }

    @Test
    void jmhsMisleadingLinesAreSaidPlainly() {
        SweepOutputFormat out = new SweepOutputFormat(org.openjdk.jmh.runner.format.OutputFormatFactory
                .createFormatInstance(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                        org.openjdk.jmh.runner.options.VerboseMode.NORMAL));
        out.trial(2, 5);
        assertEquals("# Run progress: trial 2 of 5 (TokenPowerBench runs JMH once per trial)",
                out.plainer("# Run progress: 0.00% complete, ETA 00:00:00"));
        assertTrue(out.plainer("<JMH had finished, but forked VM did not exit, are there stray running threads?"
                + " Waiting -4 seconds more...>").contains("results are already in"));
        assertEquals("# Fork: 1 of 1", out.plainer("# Fork: 1 of 1"));
    }
}
