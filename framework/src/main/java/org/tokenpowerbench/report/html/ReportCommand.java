package org.tokenpowerbench.report.html;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.tokenpowerbench.UserError;
import org.tokenpowerbench.report.EmissionsFile;
import org.tokenpowerbench.report.SloChoice;
import org.tokenpowerbench.report.compare.CompareCommand;

/**
 * {@code report [--slo ttft=500ms,...] DIR [DIR ...]}: writes {@code report.html} again for
 * finished run folders, from their records alone (no benchmark runs), e.g. after an upgrade of the
 * page, for a folder a sweep stopped in, to ask for the best setting under other objectives, or to
 * forecast a day of traffic on the measured curve ({@code --forecast traffic.csv});
 * {@code report --compare BASE NEW} compares two runs ({@link CompareCommand}).
 * {@code java -jar benchmarks.jar report ...} reaches it.
 */
public final class ReportCommand {

    private ReportCommand() {
    }

    /**
     * Rebuilds the page of every folder named; prints one line per page written, and one line per
     * folder that could not be read.
     *
     * @return 0 when every page was written, 2 when an argument was wrong (no folder, not a run folder);
     *         with {@code --compare}, {@link CompareCommand}'s status (3 when the gated metric got worse)
     */
    public static int run(String[] args) {
        return run(args, System.out, System.err);
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (java.util.Arrays.asList(args).contains(CompareCommand.FLAG)) {
            return CompareCommand.run(args, out, err);
        }
        ReportRequest request;
        try {
            request = ReportRequest.parse(args);
        } catch (UserError e) {
            err.println(e.getMessage());
            return 2;
        }
        int status = 0;
        for (Path dir : request.runDirs()) {
            try {
                RunRecords run = RunRecords.read(dir);
                ReportSettings settings = request.settingsFor(dir);
                Path file = HtmlReport.write(run, settings);
                out.println("report: " + file.toAbsolutePath());
                SloChoice.of(run.trials(), settings.slo()).forEach(c -> out.println("  " + c.sentence()));
                if (settings.cost() != null) {
                    FootprintSection.console(run, settings.cost()).forEach(l -> out.println("  " + l));
                    out.println("report: " + EmissionsFile.write(dir, run.trials(), settings.cost()).toAbsolutePath());
                }
                if (settings.forecast() != null) {
                    ForecastSection.console(run, SweepTable.of(run), settings).forEach(l -> out.println("  " + l));
                }
            } catch (UserError | UncheckedIOException e) {
                err.println(e.getMessage());
                status = 2;
            } catch (java.io.IOException e) {
                err.println("report: cannot write " + dir.resolve(EmissionsFile.FILE) + ": " + e.getMessage());
                status = 2;
            }
        }
        return status;
    }
}
