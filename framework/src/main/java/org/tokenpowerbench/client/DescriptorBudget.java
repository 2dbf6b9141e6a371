package org.tokenpowerbench.client;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.Locale;
import org.tokenpowerbench.UserError;

/**
 * Whether this process may open enough files for a wave: every stream in flight holds one socket
 * (two when the engine serves from this same process, which holds the other end), beside what is
 * open already and some spare for class loading, logs and the run folder.
 *
 * <p>Why before the first request: a wave that runs out of descriptors half way does not fail
 * cleanly. At 10,000 streams under a 4,096 limit the fork died with {@code VerifyError: Could not
 * link verifier} (the JVM could not open a jar) and no {@code requests.csv}: a limit found out by
 * running into it costs the wave and its rows.
 *
 * @param limit the most files this process may have open (its soft {@code RLIMIT_NOFILE}); -1 when
 *              the platform does not say (then nothing is checked)
 * @param open  files open now
 */
public record DescriptorBudget(long limit, long open) {

    /** Kept free beyond the streams and what is open now: jars still to be read, logs, the run folder's files. */
    public static final int SPARE = 128;

    /** This process's limit and open count, from the JDK's Unix operating-system bean; -1 and 0 where it has none. */
    public static DescriptorBudget ofThisProcess() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            return new DescriptorBudget(unix.getMaxFileDescriptorCount(), unix.getOpenFileDescriptorCount());
        }
        return new DescriptorBudget(-1, 0);
    }

    /** Descriptors a wave of {@code streams} in flight needs, each holding {@code perStream}. */
    public long need(long streams, int perStream) {
        return open + streams * perStream + SPARE;
    }

    /**
     * Throws a one-line {@link UserError} when {@code streams} in flight would not fit under the
     * limit: it names the limit, what the wave needs and how to raise it.
     *
     * @param what      the setting that asks for the streams, as the user wrote it ({@code batch=10000})
     * @param perStream descriptors one stream holds in this process
     */
    public void check(String what, long streams, int perStream) {
        if (limit < 0) {
            return;
        }
        long need = need(streams, perStream);
        if (need > limit) {
            throw new UserError(String.format(Locale.ROOT,
                    "%s needs about %,d open files (%,d streams x %d socket%s, %,d open now, %d spare) but this process may"
                            + " open only %,d: raise the limit with 'ulimit -n %d' in the shell that starts the run (or"
                            + " a higher nofile limit in /etc/security/limits.conf or the service's LimitNOFILE), or lower %s",
                    what, need, streams, perStream, perStream == 1 ? "" : "s", open, SPARE, limit,
                    roundedUp(need), what.contains("=") ? what.substring(0, what.indexOf('=')) : what));
        }
    }

    /** A limit to suggest: the need, rounded up to a whole thousand. */
    private static long roundedUp(long need) {
        return (need + 999) / 1000 * 1000;
    }
}
