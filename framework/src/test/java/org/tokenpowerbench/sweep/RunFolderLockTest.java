package org.tokenpowerbench.sweep;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tokenpowerbench.UserError;

/**
 * Two sweeps writing one run folder at the same time: the second is refused before it measures
 * anything. The other run is a real second process here, holding the folder's lock file as a
 * sweep's host does.
 */
class RunFolderLockTest {

    /** A second JVM (Java's source launcher) that locks a file, says so, and holds it until its stdin closes. */
    private static final String HOLDER = """
            import java.nio.channels.FileChannel;
            import java.nio.file.*;
            public class Holder {
                public static void main(String[] a) throws Exception {
                    try (FileChannel ch = FileChannel.open(Path.of(a[0]), StandardOpenOption.CREATE,
                            StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                        var lock = ch.tryLock();
                        System.out.println(lock == null ? "refused" : "held");
                        System.out.flush();
                        System.in.read();
                    }
                }
            }
            """;

    private static Process holder(Path dir, Path lockFile) throws Exception {
        Path source = Files.writeString(dir.resolve("Holder.java"), HOLDER);
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                source.toString(), lockFile.toString()).redirectErrorStream(true).start();
    }

    private static String firstLine(Process p) throws Exception {
        return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
    }

    private static void end(Process p) throws Exception {
        p.getOutputStream().close();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
    }

    @Test
    void aSecondRunIntoAFolderAnotherRunHoldsIsRefusedNamingItAndBothWaysOut(@TempDir Path tmp) throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        Process other = holder(tmp, run.resolve(RunFolderLock.FILE));
        try {
            assertEquals("held", firstLine(other));
            String m = assertThrows(UserError.class, () -> RunFolderLock.hold(run)).getMessage();
            assertEquals("the run folder " + run + " is being written by another run (it holds "
                    + run.resolve(RunFolderLock.FILE) + "): wait until that run ends, or choose another folder with"
                    + " -Dtpb.runDir=DIR before -jar", m);
        } finally {
            end(other);
        }
        assertDoesNotThrow(() -> RunFolderLock.hold(run), "free once the other run has ended");
        assertDoesNotThrow(() -> RunFolderLock.hold(run), "this JVM's next sweep: held already");
        assertDoesNotThrow(() -> RunFolderLock.hold(tmp.resolve("run/.")), "the same folder spelled otherwise");

        Process later = holder(tmp, run.resolve(RunFolderLock.FILE));
        try {
            assertEquals("refused", firstLine(later), "held until this JVM exits");
        } finally {
            end(later);
        }
    }

    @Test
    void aFolderWhoseLockFileCannotBeOpenedIsOneLine(@TempDir Path tmp) throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        Files.createDirectories(run.resolve(RunFolderLock.FILE)); // a folder where the file should be
        String m = assertThrows(UserError.class, () -> RunFolderLock.hold(run)).getMessage();
        assertTrue(m.startsWith("cannot lock the run folder " + run + " ("), m);
        assertTrue(m.endsWith("): choose a writable folder with -Dtpb.runDir=DIR before -jar"), m);
    }
}
