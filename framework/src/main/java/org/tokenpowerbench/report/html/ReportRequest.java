package org.tokenpowerbench.report.html;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.tokenpowerbench.UserError;
import org.tokenpowerbench.report.CostInputs;
import org.tokenpowerbench.report.GridIntensity;
import org.tokenpowerbench.report.ServiceObjectives;
import org.tokenpowerbench.report.TrafficProfile;

/**
 * The arguments of {@code report [options] DIR [DIR ...]}, checked before any page is written.
 *
 * @param runDirs the run folders
 * @param slo     the objectives of {@code --slo}; null when not given (each folder's {@code @Slo} then)
 * @param cost    {@code --carbon}, {@code --pue}, {@code --price}, {@code --hw-price}; null without {@code --carbon}
 * @param forecast the day of traffic of {@code --forecast}, read and checked here; null without it
 * @param out     where the page of several runs goes ({@code --out FILE}); null for {@link #DEFAULT_OUT}
 */
record ReportRequest(List<Path> runDirs, ServiceObjectives slo, CostInputs cost, TrafficProfile forecast, Path out) {

    /** Where the page of several runs goes without {@code --out}: the working folder, not any run's. */
    static final Path DEFAULT_OUT = Path.of("report.html");

    static final String USAGE = "report [--slo ttft=500ms,tpot=50ms,e2e=2s] [--carbon gCO2e/kWh|REGION [--pue 1.0]"
            + " [--price $/kWh] [--hw-price $/h]] [--forecast traffic.csv] [--out FILE] DIR [DIR ...]";

    ReportRequest {
        runDirs = List.copyOf(runDirs);
    }

    static ReportRequest parse(String[] args) {
        List<Path> dirs = new ArrayList<>();
        ServiceObjectives slo = null;
        GridIntensity grid = null;
        double pue = CostInputs.MEASURED_SCOPE_ONLY;
        double price = Double.NaN;
        double hardware = Double.NaN;
        String costOption = null;
        TrafficProfile forecast = null;
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--slo")) {
                slo = ServiceObjectives.parse(value(args, ++i, a, "ttft=500ms,tpot=50ms"));
            } else if (a.equals("--carbon")) {
                grid = GridIntensity.parse(value(args, ++i, a, "380 or DE"));
            } else if (a.equals("--pue")) {
                pue = CostInputs.pue(value(args, ++i, a, "1.2"));
                costOption = a;
            } else if (a.equals("--price")) {
                price = CostInputs.price(a, value(args, ++i, a, "0.12"));
                costOption = a;
            } else if (a.equals("--hw-price")) {
                hardware = CostInputs.price(a, value(args, ++i, a, "2.50"));
                costOption = a;
            } else if (a.equals("--forecast")) {
                forecast = TrafficProfile.read(Path.of(value(args, ++i, a, "traffic.csv")));
            } else if (a.equals("--out")) {
                out = Path.of(value(args, ++i, a, "runs.html"));
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
        if (grid == null && costOption != null) {
            throw new UserError("report: " + costOption + " needs --carbon too (gCO2e/kWh or a region code such as DE):"
                    + " cost and carbon are reported together");
        }
        return new ReportRequest(dirs, slo, grid == null ? null : new CostInputs(grid, pue, price, hardware),
                forecast, out);
    }

    /**
     * Where the page of several runs goes: {@code --out}, else {@link #DEFAULT_OUT}.
     *
     * @throws UserError when that is a run folder's own {@code report.html} (a folder with a
     *                   {@code summary.json}), which the page would replace
     */
    Path severalRunsPage() {
        Path file = out != null ? out : DEFAULT_OUT;
        Path folder = file.toAbsolutePath().normalize().getParent();
        if (folder != null && org.tokenpowerbench.report.PageTarget.isRunFolder(folder)) {
            throw new UserError("report: " + file + " is in the run folder " + folder + ", whose own page it would"
                    + " replace; give --out a file outside every run folder, e.g. --out runs.html");
        }
        return org.tokenpowerbench.report.PageTarget.check(file, "--out", "runs.html", List.of(), inputs());
    }

    /**
     * The page of the single run in {@code runDirs} when {@code --out} names one: anywhere but
     * among a run's records (its own {@code report.html} is allowed) and never a file the command reads.
     */
    Path singleRunPage(Path runDir) {
        return org.tokenpowerbench.report.PageTarget.check(out, "--out", "report.html", List.of(runDir), inputs());
    }

    /** What the command reads: the run folders and the traffic file. */
    private List<Path> inputs() {
        List<Path> inputs = new java.util.ArrayList<>(runDirs);
        if (forecast != null) {
            inputs.add(forecast.file());
        }
        return inputs;
    }

    /** What the page of {@code runDir} shows: the objectives given here, else its own {@code @Slo}. */
    ReportSettings settingsFor(Path runDir) {
        return new ReportSettings(slo != null ? slo : ReportSettings.of(runDir).slo(), cost, forecast);
    }

    static String value(String[] args, int i, String option, String example) {
        if (i >= args.length || args[i].startsWith("--")) {
            throw new UserError("report: " + option + " needs a value, e.g. " + option + " " + example);
        }
        return args[i];
    }
}
