package org.tokenpowerbench.report.html;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.tokenpowerbench.UserError;
import org.tokenpowerbench.report.EmissionsFile;
import org.tokenpowerbench.report.SloChoice;
import org.tokenpowerbench.report.compare.CompareCommand;

/**
 * {@code report [--slo ttft=500ms,...] DIR [DIR ...]}: writes {@code report.html} again for a
 * finished run folder (or to {@code --out FILE}), or puts several on one page ({@link RunsPage}), from their records alone (no benchmark runs), e.g. after an upgrade of the
 * page, for a folder a sweep stopped in, to ask for the best setting under other objectives, or to
 * forecast a day of traffic on the measured curve ({@code --forecast traffic.csv});
 * {@code report --compare BASE NEW} compares two runs ({@link CompareCommand}).
 * {@code java -jar benchmarks.jar report ...} reaches it.
 */
public final class ReportCommand {

    private ReportCommand() {
    }

    /**
     * Rebuilds the page of the folder named, or writes one page of the several named; prints a
     * line per page written, and one line per folder that could not be read.
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
        if (request.runDirs().size() > 1) {
            return severalRuns(request, out, err);
        }
        int status = 0;
        for (Path dir : request.runDirs()) {
            try {
                RunRecords run = RunRecords.read(dir);
                cutLines(dir, err);
                ReportSettings settings = request.settingsFor(dir);
                Path file = request.out() == null ? HtmlReport.write(run, settings)
                        : HtmlReport.replace(request.singleRunPage(dir), ReportPage.render(run, SweepTable.of(run),
                        java.time.LocalDateTime.now(), settings));
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

    /**
     * Says how many lines of the folder's iterations.jsonl the page leaves out (refuses one written
     * twice), and whether it leaves out the last line of requests.csv, cut short by a crash.
     */
    private static void cutLines(Path dir, PrintStream err) {
        Path file = dir.resolve(org.tokenpowerbench.report.EnergyRow.FILE);
        int cut = IterationLines.check(file);
        if (cut > 0) {
            err.println("report: " + file + ": " + cut + " line(s) are not whole (cut short by a crash or a full disk?);"
                    + " the page leaves them out");
        }
        Path requests = dir.resolve(org.tokenpowerbench.report.RequestsFile.FILE);
        if (CsvFile.lastLineCut(requests)) {
            err.println("report: " + requests + ": its last line is cut short (no line break after it: a crash while it"
                    + " was written?); the page leaves that request out");
        }
    }

    /**
     * Several run folders: one page with all of them ({@link RunsPage}) at {@code --out} or
     * {@code ./report.html}; the folders' own pages are left as they are. Nothing is written
     * when a folder cannot be read.
     */
    private static int severalRuns(ReportRequest request, PrintStream out, PrintStream err) {
        try {
            Path file = request.severalRunsPage();
            List<RunRecords> runs = new ArrayList<>();
            List<ReportSettings> settings = new ArrayList<>();
            List<String> unreadable = new ArrayList<>();
            for (Path dir : request.runDirs()) {
                try {
                    runs.add(RunRecords.read(dir));
                    cutLines(dir, err);
                    settings.add(request.settingsFor(dir));
                } catch (UserError | UncheckedIOException e) {
                    unreadable.add(e.getMessage());
                }
            }
            if (!unreadable.isEmpty()) {
                unreadable.forEach(err::println);
                err.println("report: no page written; give only run folders a sweep wrote");
                return 2;
            }
            List<RunsPage.Run> shown = RunsPage.of(runs, settings);
            HtmlReport.replace(file, RunsPage.render(shown, file, java.time.LocalDateTime.now()));
            out.println("report: " + file.toAbsolutePath() + " (" + runs.size() + " runs)");
            for (RunsPage.Run run : shown) {
                SloChoice.of(run.records().trials(), run.settings().slo())
                        .forEach(c -> out.println("  " + run.name() + ": " + c.sentence()));
                if (run.settings().cost() != null) {
                    FootprintSection.console(run.records(), run.settings().cost())
                            .forEach(l -> out.println("  " + run.name() + ": " + l));
                    out.println("report: " + EmissionsFile.write(run.records().runDir(), run.records().trials(),
                            run.settings().cost()).toAbsolutePath());
                }
                if (run.settings().forecast() != null) {
                    ForecastSection.console(run.records(), run.rows(), run.settings())
                            .forEach(l -> out.println("  " + run.name() + ": " + l));
                }
            }
            return 0;
        } catch (UserError | UncheckedIOException e) {
            err.println(e.getMessage());
            return 2;
        } catch (java.io.IOException e) {
            err.println("report: cannot write emissions.csv: " + e.getMessage());
            return 2;
        }
    }
}
