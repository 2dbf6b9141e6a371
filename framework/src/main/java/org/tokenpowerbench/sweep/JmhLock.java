package org.tokenpowerbench.sweep;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.tokenpowerbench.UserError;

/**
 * JMH's machine-wide lock, {@code <java.io.tmpdir>/jmh.lock}: JMH's runner refuses to start
 * while another JMH run holds it. Our sweep runs JMH once per trial, so without this check a
 * second JMH run on the host made the first trial fail after a second, reported as a failed trial
 * to {@code --resume}, although nothing was measured. Checked once before the first trial; the
 * runner itself still takes the lock for every trial.
 *
 * @param file the lock file JMH uses in this JVM
 */
record JmhLock(Path file) {

    /** JMH's own switch to run without the lock; honoured here as JMH honours it. */
    static final String IGNORE = "jmh.ignoreLock";

    /** The lock JMH's runner takes in this JVM: {@code jmh.lock} in {@code java.io.tmpdir}. */
    static JmhLock ofThisJvm() {
        return new JmhLock(Path.of(System.getProperty("java.io.tmpdir"), "jmh.lock"));
    }

    /**
     * Throws when another run holds the lock (JMH would refuse to start); returns when it is free,
     * when there is no lock file yet, or when the user told JMH to ignore it.
     *
     * @throws UserError naming the lock file and both ways out
     */
    void checkFree() {
        if (Boolean.getBoolean(IGNORE) || !Files.exists(file)) {
            return;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileLock lock = ch.tryLock();
            if (lock == null) {
                throw held();
            }
            lock.release();
        } catch (OverlappingFileLockException e) {
            throw held(); // this JVM holds it already
        } catch (IOException e) {
            throw new UserError("cannot open JMH's lock file " + file + " (" + e.getMessage() + "): make it writable"
                    + " for this user, or run with -D" + IGNORE + "=true before -jar");
        }
    }

    private UserError held() {
        return new UserError("another JMH run holds JMH's machine-wide lock " + file + ": wait until it ends, or run"
                + " with -D" + IGNORE + "=true before -jar if the two runs may measure at the same time");
    }
}
