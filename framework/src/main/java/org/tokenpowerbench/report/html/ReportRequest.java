package org.tokenpowerbench.report.html;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.tokenpowerbench.UserError;
import org.tokenpowerbench.report.ServiceObjectives;

/**
 * The arguments of {@code report [options] DIR [DIR ...]}, checked before any page is written.
 *
 * @param runDirs the run folders
 * @param slo     the objectives of {@code --slo}; null when not given (each folder's {@code @Slo} then)
 */
record ReportRequest(List<Path> runDirs, ServiceObjectives slo) {

    static final String USAGE = "report [--slo ttft=500ms,tpot=50ms,e2e=2s] DIR [DIR ...]";

    ReportRequest {
        runDirs = List.copyOf(runDirs);
    }

    static ReportRequest parse(String[] args) {
        List<Path> dirs = new ArrayList<>();
        ServiceObjectives slo = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--slo")) {
                slo = ServiceObjectives.parse(value(args, ++i, a, "ttft=500ms,tpot=50ms"));
            } else if (a.startsWith("--")) {
                throw new UserError("report: unknown option " + a + "; write " + USAGE
                        + ", or report --compare BASE NEW");
            } else {
                dirs.add(Path.of(a));
            }
        }
        if (dirs.isEmpty()) {
            throw new UserError("report: give one or more run folders, e.g. report tpb-results/20260101-120000");
        }
        return new ReportRequest(dirs, slo);
    }

    /** What the page of {@code runDir} shows: the objectives given here, else its own {@code @Slo}. */
    ReportSettings settingsFor(Path runDir) {
        return slo != null ? new ReportSettings(slo) : ReportSettings.of(runDir);
    }

    static String value(String[] args, int i, String option, String example) {
        if (i >= args.length || args[i].startsWith("--")) {
            throw new UserError("report: " + option + " needs a value, e.g. " + option + " " + example);
        }
        return args[i];
    }
}
