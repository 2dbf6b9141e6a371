package org.tokenpowerbench.report.html;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.tokenpowerbench.UserError;
import org.tokenpowerbench.report.compare.CompareCommand;

/**
 * {@code report DIR [DIR ...]}: writes {@code report.html} again for finished run folders, from
 * their records alone (no benchmark runs), e.g. after an upgrade of the page or for a folder a
 * sweep stopped in. {@code java -jar benchmarks.jar report ...} reaches it.
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
        if (args.length == 0) {
            err.println("report: give one or more run folders, e.g. report tpb-results/20260101-120000");
            return 2;
        }
        int status = 0;
        for (String arg : args) {
            try {
                Path file = HtmlReport.write(RunRecords.read(Path.of(arg)));
                out.println("report: " + file.toAbsolutePath());
            } catch (UserError | UncheckedIOException e) {
                err.println(e.getMessage());
                status = 2;
            }
        }
        return status;
    }
}
