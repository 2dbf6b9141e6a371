package org.tokenpowerbench.sweep;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import org.tokenpowerbench.UserError;

/**
 * One sweep at a time in a run folder: the host JVM takes an exclusive lock on {@link #FILE} inside
 * the folder before the first trial and holds it until it exits (the operating system lets go of
 * it then, also after a crash or {@code kill -9}). Two sweeps given the same {@code -Dtpb.runDir}
 * appended to the same files and rewrote the same {@code summary.json}, so one run's results
 * replaced the other's; now the second is refused before it measures anything.
 *
 * <p>Only the host takes the lock. A trial's JMH forks write the folder too, but they are that
 * sweep's own processes, started while the host holds it, so they never ask for it. A second sweep
 * in the same JVM (tests call {@code Main.run} again and again) finds the lock already held by this
 * JVM and goes on: one JVM runs its sweeps one after the other.
 *
 * <p>The lock is a POSIX record lock ({@link FileChannel#tryLock()}), so it holds between any two
 * processes on this machine, and on a network file system that supports locks, between machines.
 * The file itself stays in the folder; only the lock on it means anything.
 */
final class RunFolderLock {

    /** The lock file inside the run folder. */
    static final String FILE = ".tpb-run.lock";

    /** The locks this JVM holds, by the folder's real path; never released before the JVM exits. */
    private static final Map<Path, FileLock> HELD = new HashMap<>();

    private RunFolderLock() {
    }

    /**
     * Takes the lock of {@code dir} (which must exist) for the rest of this JVM's life, or returns
     * at once when this JVM holds it already.
     *
     * @throws UserError naming the folder when another run holds it, or when the lock file cannot be opened
     */
    static synchronized void hold(Path dir) {
        Path key;
        try {
            key = dir.toRealPath();
        } catch (IOException e) {
            key = dir.toAbsolutePath().normalize();
        }
        FileLock held = HELD.get(key);
        if (held != null && held.isValid()) {
            return;
        }
        Path file = dir.resolve(FILE);
        FileChannel ch = null;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // this JVM holds it through another channel: not one of our sweeps
            }
            if (lock == null) {
                ch.close();
                throw new UserError("the run folder " + dir + " is being written by another run (it holds "
                        + file + "): wait until that run ends, or choose another folder with -Dtpb.runDir=DIR before -jar");
            }
            HELD.put(key, lock); // the channel stays open: closing it would release the lock
        } catch (IOException e) {
            close(ch);
            throw new UserError("cannot lock the run folder " + dir + " (" + file + ": " + e.getMessage()
                    + "): choose a writable folder with -Dtpb.runDir=DIR before -jar");
        }
    }

    private static void close(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing more to undo
            }
        }
    }
}
