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
 * it, JMH's {@code Main} (host) or {@code ForkedMain} (fork) on the calling thread's stack means
 * JMH started this JVM itself. Anything else (our Main's host before it has planned the sweep, a
 * unit test) passes.
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
        if (System.getProperty(RunDirectory.INVOCATION) != null) {
            return;
        }
        boolean jmhItself = StackWalker.getInstance().walk(frames -> frames.anyMatch(f ->
                f.getClassName().equals("org.openjdk.jmh.Main") || f.getClassName().equals("org.openjdk.jmh.runner.ForkedMain")));
        if (jmhItself) {
            throw new ProfilerException(profiler + " works only under TokenPowerBench's Main: run the benchmark jar with"
                    + " java -jar (its main class must be " + MAIN + ", not org.openjdk.jmh.Main) and write -prof cpu,"
                    + " -prof rapl or -prof nvml");
        }
    }
}
