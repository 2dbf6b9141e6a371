package org.tokenpowerbench.sweep;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.TreeMap;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.util.Optional;

/**
 * The command-line settings that change what a trial measures, other than its parameter values:
 * iterations, their length, forks, modes, threads, profilers, the forks' JVM options and the
 * {@code -Dtpb.*} properties given to the host JVM (which JMH hands on to the forks). A resumed
 * sweep must use the same ones, or its skipped and its new trials would not be comparable.
 *
 * <p>Only what the user gave is listed: a setting left to the benchmark's annotations stays out,
 * and stays the same as long as the jar does. Our own run-folder and invocation properties are
 * not settings, nor are the live progress lines' ({@code tpb.progress}, {@code tpb.progressSeconds}).
 *
 * @param text the settings as one line, e.g. {@code -i 3 -prof cpu -Dtpb.idleSeconds=0}, or empty
 */
record MeasurementSettings(String text) {

    /** Host properties that name where and by whom results are written, not how they are measured. */
    // the live progress lines change what is shown, not what is measured; the prompt cache gives the
    // same prompts as a build does, so a resume may turn it on or off
    private static final List<String> NOT_SETTINGS = List.of("tpb.runDir", "tpb.invocation", "tpb.progress",
            "tpb.progressSeconds", "tpb.promptCache");

    /**
     * @param hostProperties the host JVM's {@code -D} arguments (e.g. from
     *                       {@code RuntimeMXBean.getInputArguments()})
     */
    static MeasurementSettings of(Options cmd, List<String> hostProperties) {
        List<String> s = new ArrayList<>();
        add(s, "-wi", cmd.getWarmupIterations());
        add(s, "-w", cmd.getWarmupTime(), MeasurementSettings::time);
        add(s, "-wbs", cmd.getWarmupBatchSize());
        add(s, "-i", cmd.getMeasurementIterations());
        add(s, "-r", cmd.getMeasurementTime(), MeasurementSettings::time);
        add(s, "-bs", cmd.getMeasurementBatchSize());
        add(s, "-f", cmd.getForkCount());
        add(s, "-wf", cmd.getWarmupForkCount());
        add(s, "-t", cmd.getThreads());
        add(s, "-to", cmd.getTimeout(), MeasurementSettings::time);
        add(s, "-tu", cmd.getTimeUnit());
        add(s, "-si", cmd.shouldSyncIterations());
        if (!cmd.getBenchModes().isEmpty()) {
            s.add("-bm " + String.join(",", cmd.getBenchModes().stream().map(m -> m.shortLabel()).sorted().toList()));
        }
        cmd.getProfilers().forEach(p -> s.add("-prof " + p.getKlass()
                + (p.getOpts() == null || p.getOpts().isEmpty() ? "" : ":" + p.getOpts())));
        add(s, "-jvmArgs", cmd.getJvmArgs(), a -> String.join(" ", a));
        add(s, "-jvmArgsPrepend", cmd.getJvmArgsPrepend(), a -> String.join(" ", a));
        add(s, "-jvmArgsAppend", cmd.getJvmArgsAppend(), a -> String.join(" ", a));
        TreeMap<String, String> props = new TreeMap<>();
        for (String a : hostProperties) {
            if (a.startsWith("-Dtpb.")) {
                int eq = a.indexOf('=');
                String name = a.substring(2, eq < 0 ? a.length() : eq);
                if (!NOT_SETTINGS.contains(name)) {
                    props.put(name, a);
                }
            }
        }
        s.addAll(props.values());
        return new MeasurementSettings(String.join(" ", s));
    }

    private static void add(List<String> s, String flag, Optional<?> value) {
        add(s, flag, value, String::valueOf);
    }

    private static <T> void add(List<String> s, String flag, Optional<T> value, Function<T, String> text) {
        if (value.hasValue()) {
            s.add(flag + " " + text.apply(value.get()));
        }
    }

    private static String time(TimeValue t) {
        return t.toString().replace(" ", "");
    }

    /** For messages: the line, or a phrase that says there is none. */
    String describe() {
        return text.isEmpty() ? "no measurement flags (the benchmarks' own settings)" : text;
    }
}
