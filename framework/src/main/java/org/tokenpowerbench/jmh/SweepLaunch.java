package org.tokenpowerbench.jmh;

import org.openjdk.jmh.profile.ProfilerException;
import org.tokenpowerbench.report.RunDirectory;

/**
 * Whether this JVM runs under TokenPowerBench's own Main ({@value #MAIN}), which the profilers
 * need: it maps {@code -prof cpu} to them, adds the request metrics, passes the run folder and
 * {@value RunDirectory#INVOCATION} to every fork, writes the summary, and keeps forks from
 * waiting 30 s for llama.cpp's native thread. Started through JMH's own Main (a project set up
 * the JMH way), a run would lose all that silently; so a profiler stops it at once with one line.
 *
 * <p>How it tells: our Main gives every fork {@code -D}{@value RunDirectory#INVOCATION}; without
 * it, a JMH fork (whose {@code System.out} is JMH's link to the host; a benchmark's set-up runs on
 * a worker thread) or JMH's {@code Main} or {@code ForkedMain} on any thread's stack means JMH
 * started this JVM itself. Anything else (our Main's host before it has planned the sweep, a unit
 * test) passes.
 */
final class SweepLaunch {

    /** Our Main, named in the line a user reads. */
    static final String MAIN = "org.tokenpowerbench.sweep.Main";

    private SweepLaunch() {
    }

    /**
     * @param profiler how the user named the profiler, for the line
     * @throws ProfilerException with one line naming our Main, when JMH's own Main started this JVM
     */
    static void require(String profiler) throws ProfilerException {
        String refusal = refusal(profiler + " works");
        if (refusal != null) {
            throw new ProfilerException(refusal + ", and write -prof cpu, -prof rapl or -prof nvml");
        }
    }

    /**
     * The line that refuses a run JMH's own Main started, or null when this JVM runs under ours
     * (or under neither, as in a unit test).
     *
     * @param what the subject of the line, e.g. {@code "org.tokenpowerbench.jmh.PowerProfiler works"}
     */
    static String refusal(String what) {
        if (System.getProperty(RunDirectory.INVOCATION) != null) {
            return null;
        }
        boolean jmhItself = javaOutputIsJmhLink() || Thread.getAllStackTraces().values().stream()
                .flatMap(java.util.Arrays::stream)
                .anyMatch(f -> f.getClassName().equals("org.openjdk.jmh.Main")
                        || f.getClassName().equals("org.openjdk.jmh.runner.ForkedMain"));
        return jmhItself ? what + " only under TokenPowerBench's Main: run the benchmark jar with java -jar (its main"
                + " class must be " + MAIN + ", not org.openjdk.jmh.Main)" : null;
    }

    private static boolean javaOutputIsJmhLink() {
        return System.out.getClass().getName().startsWith("org.openjdk.jmh.runner.link.");
    }
}
