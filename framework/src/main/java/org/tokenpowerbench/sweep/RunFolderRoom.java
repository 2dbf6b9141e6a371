package org.tokenpowerbench.sweep;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.tokenpowerbench.UserError;

/**
 * Whether the run folder can take a sweep, checked before the first trial: a folder that is
 * read-only or full would otherwise let a wave be measured before its rows failed to be written.
 *
 * <p>How much a trial needs: measured on this project's build machine (2026-12-04), one trial of
 * {@code TPBSample_01 -prof cpu -p prompts=4 -wi 1 -i 3 -f 1} left 65 kB in the run folder (its
 * requests, energy rows, power trace, iteration lines and serialized results; about 130 kB for two
 * trials). Rows grow with requests and the power trace with wave seconds, so {@link #NEEDED}
 * asks for a thousand such trials of room: a long sweep has that much before it starts, and a
 * folder that is nearly full is refused instead of failing mid-run.
 */
final class RunFolderRoom {

    /** Free bytes the run folder's file system must have before the first trial. */
    static final long NEEDED = 64L * 1024 * 1024;

    private RunFolderRoom() {
    }

    /**
     * Creates {@code dir} if needed, writes and removes a probe file in it, and checks its free room.
     *
     * @throws UserError when the folder cannot be created or written, or has less than {@link #NEEDED} free
     */
    static void check(Path dir) {
        long usable;
        try {
            Files.createDirectories(dir);
            probe(dir);
            usable = Files.getFileStore(dir).getUsableSpace();
        } catch (IOException e) {
            throw new UserError("cannot write in the run folder " + dir + " (" + reason(e) + "): choose a writable"
                    + " folder with -Dtpb.runDir=DIR before -jar");
        }
        check(dir, usable);
    }

    /** The room check alone, for a file system that has {@code usable} bytes free. */
    static void check(Path dir, long usable) {
        if (usable < NEEDED) {
            throw new UserError("the run folder " + dir + " has " + mib(usable) + " free; a sweep needs "
                    + mib(NEEDED) + " (a trial writes about 65 kB per 16 requests, more with long waves and"
                    + " fine power traces): free room there, or choose another folder with -Dtpb.runDir=DIR before -jar");
        }
    }

    private static void probe(Path dir) throws IOException {
        Path probe = Files.createTempFile(dir, ".write-check", ".tmp");
        try (FileChannel ch = FileChannel.open(probe, StandardOpenOption.WRITE)) {
            ByteBuffer page = ByteBuffer.allocate(4096);
            while (page.hasRemaining()) {
                ch.write(page);
            }
            ch.force(false);
        } finally {
            Files.deleteIfExists(probe);
        }
    }

    private static String reason(IOException e) {
        if (e instanceof java.nio.file.FileSystemException fs && fs.getReason() != null) {
            return fs.getFile() + ": " + fs.getReason();
        }
        return e.toString();
    }

    private static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
    }
}
