package org.tokenpowerbench.engine.launch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.UUID;

/**
 * A mark in a launched engine's environment, {@code TPB_ENGINE_TAG=<random UUID>}, unique per start,
 * that every process the engine spawns inherits: also one that leaves the engine's process tree
 * (a double fork, re-parented to init) and its process group ({@code setsid}). Such a process once
 * outlived the sweep; at stop, {@link #processes()} finds it by the mark in
 * {@code /proc/<pid>/environ}.
 *
 * <p>Linux only: elsewhere, or where {@code /proc} cannot be read, nothing is found and the stop
 * relies on the tree and the group as before. Only this user's processes are read (another user's
 * {@code environ} is not readable anyway, and is skipped); a process that rewrote or cleared its
 * environment before exec ({@code env -i}) carries no mark and is not found.
 *
 * @param value the mark's value
 */
record EngineTag(String value) {

    /** The variable that carries the mark. */
    static final String VARIABLE = "TPB_ENGINE_TAG";

    private static final Path PROC = Path.of("/proc");

    /** A new mark, for one start. */
    static EngineTag fresh() {
        return new EngineTag(UUID.randomUUID().toString());
    }

    /**
     * The live processes of this user, other than this JVM, whose environment holds this mark;
     * empty where {@code /proc} cannot be read.
     */
    Set<ProcessHandle> processes() {
        Set<ProcessHandle> out = new LinkedHashSet<>();
        byte[] entry = (VARIABLE + "=" + value).getBytes(StandardCharsets.UTF_8);
        Object uid;
        try {
            uid = Files.getAttribute(PROC.resolve("self"), "unix:uid");
        } catch (IOException | RuntimeException e) {
            return out; // no /proc, or no unix attributes: not Linux
        }
        long self = ProcessHandle.current().pid();
        try (DirectoryStream<Path> all = Files.newDirectoryStream(PROC, p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path p : all) {
                try {
                    long pid = Long.parseLong(p.getFileName().toString());
                    if (pid == self || !uid.equals(Files.getAttribute(p, "unix:uid"))) {
                        continue;
                    }
                    if (holds(Files.readAllBytes(p.resolve("environ")), entry)) {
                        ProcessHandle.of(pid).filter(ProcessHandle::isAlive).ifPresent(out::add);
                    }
                } catch (IOException | RuntimeException e) {
                    // ended meanwhile, or not readable: skipped
                }
            }
        } catch (IOException | RuntimeException e) {
            // /proc cannot be listed: the tree and the group alone
        }
        return out;
    }

    /** Whether the NUL-separated {@code environ} holds {@code entry} as one whole variable. */
    static boolean holds(byte[] environ, byte[] entry) {
        int start = 0;
        while (start <= environ.length) {
            int end = start;
            while (end < environ.length && environ[end] != 0) {
                end++;
            }
            if (end - start == entry.length && java.util.Arrays.equals(environ, start, end, entry, 0, entry.length)) {
                return true;
            }
            start = end + 1;
        }
        return false;
    }
}
