package org.tokenpowerbench.report.compare;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.tokenpowerbench.UserError;

/**
 * {@code report --compare BASE NEW [--metric M] [--threshold P]}: two runs (run folders or JMH
 * JSON files) compared per trial and metric; Markdown on standard output for a pull-request
 * comment, {@code compare.html} beside the new run, and the exit status CI gates on:
 * <ul>
 * <li>0: the gated metric got worse beyond the threshold in no trial;</li>
 * <li>{@value Comparison#WORSE_STATUS}: it got worse in at least one;</li>
 * <li>2: a wrong argument or unreadable input (one line on standard error).</li>
 * </ul>
 */
public final class CompareCommand {

    public static final String FLAG = "--compare";

    private CompareCommand() {
    }

    /** Runs the comparison that {@code args} (everything after {@code report}) asks for; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        try {
            Request r = Request.parse(args);
            Comparison c = Comparison.of(ComparedRun.read(r.base()), ComparedRun.read(r.now()), r.metric(),
                    r.threshold());
            Path html = r.html();
            try { // the page first: a gate whose page cannot be written prints no verdict it then takes back
                org.tokenpowerbench.report.WholeFile.replace(html,
                        o -> o.write(ComparePage.render(c).getBytes(StandardCharsets.UTF_8)));
            } catch (IOException e) {
                throw new UserError("report --compare: cannot write " + html + ": " + e.getMessage()
                        + "; give --html FILE in a writable folder");
            }
            out.print(CompareMarkdown.render(c));
            out.flush();
            err.println("report --compare: " + html.toAbsolutePath());
            return c.exitStatus();
        } catch (UserError e) {
            err.println(e.getMessage());
            return 2;
        }
    }

    /** The command's arguments, checked. */
    record Request(Path base, Path now, String metric, double threshold, Path html) {

        static Request parse(String[] args) {
            List<String> runs = new ArrayList<>();
            String metric = Comparison.DEFAULT_METRIC;
            double threshold = Comparison.DEFAULT_THRESHOLD;
            Path html = null;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case FLAG -> { }
                    case "--metric" -> metric = value(args, ++i, a);
                    case "--threshold" -> threshold = threshold(value(args, ++i, a));
                    case "--html" -> html = Path.of(value(args, ++i, a));
                    default -> {
                        if (a.startsWith("--")) {
                            throw new UserError("report --compare: unknown option " + a
                                    + "; known: --metric M, --threshold P%, --html FILE");
                        }
                        runs.add(a);
                    }
                }
            }
            if (runs.size() != 2) {
                throw new UserError("report --compare: give two runs, BASE then NEW (run folders or JMH JSON files),"
                        + " not " + runs.size() + ": " + String.join(" ", runs));
            }
            Path now = Path.of(runs.get(1));
            if (html == null) {
                Path folder = Files.isDirectory(now) ? now : now.toAbsolutePath().getParent();
                html = folder.resolve(ComparePage.FILE);
            }
            Path base = Path.of(runs.get(0));
            if (org.tokenpowerbench.report.PageTarget.sameFile(base, now)) { // a gate of a run against itself always passes: a CI misconfigured
                throw new UserError("report --compare: BASE and NEW are the same run (" + base + "); give the base run"
                        + " first, then the new one");
            }
            // never over a run's records or an input: a page once replaced BASE's summary.json
            org.tokenpowerbench.report.PageTarget.check(html, "--html", ComparePage.FILE, List.of(), List.of(base, now));
            return new Request(base, now, metric, threshold, html);
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length || args[i].startsWith("--")) {
                throw new UserError("report --compare: " + option + " needs a value, e.g. " + option + " "
                        + switch (option) {
                            case "--metric" -> "J/outputToken";
                            case "--threshold" -> "2%";
                            default -> "compare.html";
                        });
            }
            return args[i];
        }

        /** {@code 2%} or {@code 2}: percent of the base mean, 0 or more. */
        static double threshold(String text) {
            String number = text.endsWith("%") ? text.substring(0, text.length() - 1).strip() : text;
            double percent;
            try {
                percent = Double.parseDouble(number);
            } catch (NumberFormatException e) {
                percent = Double.NaN;
            }
            if (!Double.isFinite(percent) || percent < 0) {
                throw new UserError("report --compare: --threshold " + text + " is no percentage; give one such as"
                        + " 2% (0 or more)");
            }
            if (percent > 100) { // beyond doubling the gate would pass every change a run could show
                throw new UserError("report --compare: --threshold " + text + " is above 100 %, so the gate could not"
                        + " fail on any change short of doubling; give one such as 2%");
            }
            return percent / 100;
        }
    }
}
