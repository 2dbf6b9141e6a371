package org.tokenpowerbench.sweep;

import java.io.IOException;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.tokenpowerbench.UserError;
import org.tokenpowerbench.report.html.ReportCommand;

/**
 * Entry point of {@code benchmarks.jar}: JMH's own command line ({@link CommandLine} says what we
 * add: {@code -prof} sensor ids, {@code --resume DIR}, a check of {@code -p} names), every check that
 * can be made before the first fork ({@link SweepPlan}), then the sweep one trial at a time
 * ({@link SweepRunner}), observed by the {@link org.tokenpowerbench.report.SweepListener}s.
 *
 * <p>Exit status: 0 every trial complete; 1 a trial failed, could not be recorded or did not run
 * (its reason on one line, and how many trials the run folder really holds); 130 (143) Ctrl-C
 * (SIGTERM), after the finished trials are recorded and the resume line printed; 2 a mistake in the command line or a value, found before any measurement (one line);
 * 70 a bug in TokenPowerBench itself (with its stack trace: please report it).
 */
public final class Main {

    /** Exit status for a bug of ours (sysexits' EX_SOFTWARE): never blamed on the user's command line. */
    static final int BUG = 70;

    /** The first argument that rebuilds {@code report.html} of run folders instead of running a sweep. */
    static final String REPORT = "report";

    private Main() {
    }

    public static void main(String[] args) {
        int status;
        try {
            status = run(args);
        } catch (RuntimeException | LinkageError e) {
            e.printStackTrace();
            System.err.println("tokenpowerbench: this is a bug in TokenPowerBench, not a mistake in your command line;"
                    + " please report it with the stack trace above");
            status = BUG;
        }
        System.exit(status);
    }

    /** Runs and returns the exit status (see the class comment); a bug of ours is thrown, not returned. */
    public static int run(String[] args) {
        if (args.length > 0 && args[0].equals(REPORT)) {
            // java -jar benchmarks.jar report DIR [DIR ...]: the HTML page of finished run folders, no sweep
            return ReportCommand.run(java.util.Arrays.copyOfRange(args, 1, args.length));
        }
        ProfilerNames profilers = new ProfilerNames();
        try {
            CommandLine line = CommandLine.parse(args, profilers);
            Integer listed = list(line.options(), profilers);
            if (listed != null) {
                return listed;
            }
            SweepPlan plan = SweepPlan.of(line, profilers);
            return new SweepRunner(plan, SweepListeners.discovered()).run();
        } catch (UserError e) {
            System.err.println("tokenpowerbench: " + e.getMessage());
            return 2;
        }
    }

    /** Help and the listings ({@code -h -l -lp -lprof -lrf}); null when the command runs a sweep. */
    private static Integer list(CommandLineOptions cmd, ProfilerNames profilers) {
        try {
            if (cmd.shouldHelp()) {
                cmd.showHelp();
                System.out.println();
                System.out.println("TokenPowerBench adds: -prof " + String.join(" | ", profilers.ours().keySet())
                        + " (short names, options after ':'; -lprof lists them),");
                System.out.println("  -Dtpb.runDir=DIR before -jar to choose the run folder (default tpb-results/<time>),");
                System.out.println("  --resume DIR to go on with the sweep recorded in run folder DIR (its complete trials are skipped),");
                System.out.println("  report [--slo ttft=500ms,tpot=50ms] [--carbon gCO2e/kWh|REGION --pue P --price $/kWh --hw-price $/h]"
                        + " DIR [DIR ...] (first argument) to rebuild report.html of finished run folders,");
                System.out.println("  report --compare BASE NEW [--metric M --threshold 2%] to compare two runs (exit 3: M got worse;"
                        + " see docs/report.md).");
                return 0;
            }
            if (cmd.shouldListProfilers()) {
                cmd.listProfilers();
                System.out.println();
                System.out.print(profilers.listing());
                return 0;
            }
            if (cmd.shouldListResultFormats()) {
                cmd.listResultFormats();
                return 0;
            }
            if (cmd.shouldList()) {
                new Runner(cmd).list();
                return 0;
            }
            if (cmd.shouldListWithParams()) {
                new Runner(cmd).listWithParams(cmd);
                return 0;
            }
        } catch (IOException e) {
            throw new UserError(e.getMessage());
        }
        return null;
    }
}
