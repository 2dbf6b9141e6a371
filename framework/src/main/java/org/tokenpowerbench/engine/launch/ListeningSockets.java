package org.tokenpowerbench.engine.launch;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Who listens on a TCP port, from Linux's {@code /proc}: the inodes of the listening sockets on the
 * port ({@code /proc/net/tcp} and {@code tcp6}, state {@code 0A}), and whether any process of a set
 * holds one of them open ({@code /proc/<pid>/fd} links {@code socket:[inode]}). So a launched
 * engine is taken as ready only when its own process answers, not another program on its port.
 */
final class ListeningSockets {

    private static final Path PROC = Path.of("/proc");

    private ListeningSockets() {
    }

    /** The inodes of the sockets listening on {@code port}; null where the tables cannot be read. */
    static Set<Long> inodes(int port) {
        Set<Long> out = new HashSet<>();
        boolean read = false;
        for (String table : List.of("net/tcp", "net/tcp6")) {
            List<String> lines;
            try {
                lines = Files.readAllLines(PROC.resolve(table));
            } catch (IOException | RuntimeException e) {
                continue;
            }
            read = true;
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 10 || !"0A".equals(f[3])) {
                    continue;
                }
                int colon = f[1].lastIndexOf(':');
                try {
                    if (colon > 0 && Integer.parseInt(f[1].substring(colon + 1), 16) == port) {
                        out.add(Long.parseLong(f[9]));
                    }
                } catch (NumberFormatException e) {
                    // a line of another shape: not a socket of ours to judge
                }
            }
        }
        return read ? out : null;
    }

    /**
     * Whether a process of {@code pids} holds one of {@code inodes}; null when none of their
     * descriptors could be read (then nothing can be said).
     */
    static Boolean heldBy(Set<Long> pids, Set<Long> inodes) {
        boolean readAny = false;
        for (long pid : pids) {
            try (DirectoryStream<Path> fds = Files.newDirectoryStream(PROC.resolve(Long.toString(pid)).resolve("fd"))) {
                readAny = true;
                for (Path fd : fds) {
                    String target;
                    try {
                        target = Files.readSymbolicLink(fd).toString();
                    } catch (IOException | RuntimeException e) {
                        continue; // closed meanwhile
                    }
                    if (target.startsWith("socket:[") && target.endsWith("]")
                            && inodes.contains(Long.parseLong(target.substring(8, target.length() - 1)))) {
                        return true;
                    }
                }
            } catch (IOException | RuntimeException e) {
                // a process that ended meanwhile, or one we may not read
            }
        }
        return readAny ? Boolean.FALSE : null;
    }

    /** The processes whose process group is {@code leader}'s (the engine started by {@code setsid}). */
    static Set<Long> groupMembers(long leader) {
        Set<Long> out = new HashSet<>();
        try (DirectoryStream<Path> all = Files.newDirectoryStream(PROC, p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path p : all) {
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    if (f.length > 2 && Long.parseLong(f[2]) == leader) {
                        out.add(Long.parseLong(p.getFileName().toString()));
                    }
                } catch (IOException | RuntimeException e) {
                    // ended meanwhile
                }
            }
        } catch (IOException | RuntimeException e) {
            // no /proc: the tree alone
        }
        return out;
    }
}
