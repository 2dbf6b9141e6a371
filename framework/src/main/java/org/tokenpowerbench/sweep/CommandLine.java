package org.tokenpowerbench.sweep;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.openjdk.jmh.runner.Defaults;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.tokenpowerbench.UserError;
import org.tokenpowerbench.jmh.RequestMetricsProfiler;

/**
 * The command line of {@code benchmarks.jar}: JMH's own, read by JMH's parser, plus what we add
 * on top of it, read here before JMH sees the arguments:
 * <ul>
 *   <li>{@code --resume DIR}, which JMH does not know and so never sees;</li>
 *   <li>{@code -prof} names resolved by {@link ProfilerNames} (a sensor id becomes our power
 *       profiler with {@code sensor=<id>}), in every spelling JMH's parser accepts;</li>
 *   <li>the request metrics profiler added when the user did not name it;</li>
 *   <li>the names given with {@code -p}, so that an unknown one is refused (JMH ignores it).</li>
 * </ul>
 *
 * @param resume     the run folder of {@code --resume DIR}, or null
 * @param plain      the arguments without {@code --resume}, as the user wrote them
 * @param rewritten  the arguments JMH parses
 * @param options    JMH's parse of {@code rewritten}
 */
record CommandLine(Path resume, List<String> plain, List<String> rewritten, CommandLineOptions options) {

    /** {@code --resume DIR} or {@code --resume=DIR}: ours, not JMH's. */
    static final String RESUME = "--resume";

    /**
     * The spellings of {@code -prof} that JMH's parser (jopt-simple) accepts: one or two dashes,
     * the abbreviations {@code -pr} and {@code -pro}, the profiler in the next argument or after
     * {@code =} (group 1).
     */
    private static final Pattern PROF = Pattern.compile("--?(?:prof|pro|pr)(?:=(.*))?", Pattern.DOTALL);

    /** {@code -p} or {@code --p}, the pair in the next argument or after {@code =} (group 1). */
    private static final Pattern PARAM = Pattern.compile("--?p(?:=(.*))?", Pattern.DOTALL);

    /**
     * Reads a command line.
     *
     * @throws UserError with one line for anything the user wrote that we or JMH cannot take
     */
    static CommandLine parse(String[] args, ProfilerNames profilers) {
        Path resume = resumeDir(args);
        String[] plain = withoutResume(args);
        List<String> rewritten = rewrite(plain, profilers);
        try {
            return new CommandLine(resume, List.of(plain), List.copyOf(rewritten),
                    new CommandLineOptions(rewritten.toArray(new String[0])));
        } catch (CommandLineOptionException e) {
            throw new UserError(e.getMessage() + " (see -h)");
        }
    }

    /** The names given with {@code -p}. */
    List<String> parameterNames() {
        return parameterNames(plain.toArray(new String[0]));
    }

    /** JMH's result file, as JMH names it: {@code -rff}, else {@code jmh-result.<format>} when {@code -rf} is given. */
    String resultFile() {
        return resultFile(options);
    }

    static String resultFile(CommandLineOptions options) {
        if (!options.getResult().hasValue() && !options.getResultFormat().hasValue()) {
            return null;
        }
        return options.getResult().orElse(Defaults.RESULT_FILE_PREFIX + "."
                + options.getResultFormat().orElse(Defaults.RESULT_FORMAT).toString().toLowerCase(Locale.ROOT));
    }

    /** Whether the user's fork JVM options already set {@code property}. */
    boolean mentions(String property) {
        return mentions(options, property);
    }

    static boolean mentions(CommandLineOptions options, String property) {
        List<String> all = new ArrayList<>();
        all.addAll(options.getJvmArgs().orElse(List.of()));
        all.addAll(options.getJvmArgsPrepend().orElse(List.of()));
        all.addAll(options.getJvmArgsAppend().orElse(List.of()));
        return all.stream().anyMatch(a -> a.startsWith("-D" + property + "="));
    }

    /**
     * The run folder given with {@code --resume DIR} or {@code --resume=DIR}, or null without one.
     *
     * @throws UserError when the folder is missing or given twice
     */
    static Path resumeDir(String[] args) {
        String dir = null;
        for (int i = 0; i < args.length; i++) {
            String value;
            if (args[i].equals(RESUME)) {
                value = i + 1 < args.length ? args[++i] : "";
            } else if (args[i].startsWith(RESUME + "=")) {
                value = args[i].substring(RESUME.length() + 1);
            } else {
                continue;
            }
            if (value.isBlank() || value.startsWith("-")) {
                throw new UserError(RESUME + " needs the run folder of an earlier run, e.g. "
                        + RESUME + " tpb-results/20261127-101500");
            }
            if (dir != null && !dir.equals(value)) {
                throw new UserError(RESUME + " is given twice (" + dir + ", " + value + "): give one run folder");
            }
            dir = value;
        }
        return dir == null ? null : Path.of(dir);
    }

    /** The arguments without {@code --resume DIR} / {@code --resume=DIR}, for JMH's parser. */
    static String[] withoutResume(String[] args) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals(RESUME)) {
                i++; // its folder
            } else if (!args[i].startsWith(RESUME + "=")) {
                out.add(args[i]);
            }
        }
        return out.toArray(new String[0]);
    }

    /**
     * Resolves every {@code -prof} through {@code profilers} (always written {@code -prof X} after
     * this), adds the request metrics profiler when it is not named, and drops {@code --resume}.
     *
     * @throws UserError for a {@code -prof} without a name or with a name nobody knows
     */
    static List<String> rewrite(String[] all, ProfilerNames profilers) {
        String[] args = withoutResume(all);
        List<String> out = new ArrayList<>();
        boolean metrics = false;
        for (int i = 0; i < args.length; i++) {
            Matcher prof = PROF.matcher(args[i]);
            if (!prof.matches()) {
                out.add(args[i]);
                continue;
            }
            String spec = prof.group(1);
            if (spec == null) {
                if (i + 1 >= args.length) {
                    throw new UserError("-prof needs a profiler name, e.g. -prof cpu (list them with -lprof)");
                }
                spec = args[++i];
            }
            String resolved = profilers.resolve(spec);
            metrics |= resolved.equals(RequestMetricsProfiler.class.getName())
                    || resolved.startsWith(RequestMetricsProfiler.class.getName() + ":");
            out.add("-prof");
            out.add(resolved);
        }
        if (!metrics) {
            out.add("-prof");
            out.add(RequestMetricsProfiler.class.getName());
        }
        return out;
    }

    /**
     * Names given with {@code -p name=values}, in every spelling JMH accepts: also
     * {@code -pname=values}, {@code -p=name=values} and {@code --p name=values}.
     *
     * @throws UserError for a {@code -p} pair that is not {@code name=values}
     */
    static List<String> parameterNames(String[] args) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String pair = null;
            Matcher prof = PROF.matcher(a);
            Matcher param = PARAM.matcher(a);
            if (prof.matches()) {
                if (prof.group(1) == null) {
                    i++; // the profiler spec
                }
                continue;
            } else if (param.matches()) {
                if (param.group(1) != null) {
                    pair = param.group(1);
                } else if (i + 1 < args.length) {
                    pair = args[++i];
                }
            } else if (a.startsWith("-p") && a.length() > 2) {
                pair = a.substring(2);
            }
            if (pair != null) {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw new UserError("-p " + pair + " is not name=values: write e.g. -p batch=1,8");
                }
                names.add(pair.substring(0, eq));
            }
        }
        return names;
    }
}
