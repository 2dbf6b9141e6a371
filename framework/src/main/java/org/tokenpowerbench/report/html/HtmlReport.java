package org.tokenpowerbench.report.html;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import org.tokenpowerbench.report.SweepListener;
import org.tokenpowerbench.report.SweepState;

/**
 * {@code report.html} in the run folder, written when a sweep ends (also one stopped early, and
 * a resume, whose results include the trials recorded before it): a sweep listener, so the sweep
 * does not know it. {@link ReportCommand} writes the same page again for a finished folder.
 */
public final class HtmlReport implements SweepListener {

    public static final String FILE = "report.html";

    @Override
    public void sweepEnded(SweepState state) {
        write(RunRecords.read(state.runDir(), state.results(), state.failed()));
    }

    /** Renders the page for {@code run} and replaces its {@code report.html} whole; returns the file. */
    static Path write(RunRecords run) {
        return write(run, ReportSettings.of(run.runDir()));
    }

    /** The page with what the reader asked for ({@code report --slo ...}). */
    static Path write(RunRecords run, ReportSettings settings) {
        List<TrialRow> rows = SweepTable.of(run);
        String page = ReportPage.render(run, rows, LocalDateTime.now(), settings);
        return replace(run.runDir().resolve(FILE), page);
    }

    /** Writes {@code page} to {@code file} whole (a reader never sees half a page); returns the file. */
    static Path replace(Path file, String page) {
        try {
            // a failed write leaves no temporary file behind (a half page once stayed as cases.tmp)
            org.tokenpowerbench.report.WholeFile.replace(file, out -> out.write(page.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
        return file;
    }
}
