package org.tokenpowerbench.engine;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.LogLevel;
import de.kherud.llama.args.LogFormat;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where llama.cpp's own log goes: into the run folder, {@code engines/embedded-<pid>.log}, and not
 * onto the console, unless {@code -Dtpb.embedded.log=true}.
 *
 * <p>Why not the binding's logger hook: with {@code de.kherud:llama} 4.2.0 it never fires (an open
 * bug of the binding, its issue #101), and llama.cpp's log was then 72 % of the first command's
 * output (1,750 of 2,426 lines), cutting JMH's {@code Iteration N:} lines in two. So the fork's
 * native standard output and error (file descriptors 1 and 2) are pointed at the log file with
 * libc's {@code dup2}, through JNA, before the model loads, whatever the binding does.
 *
 * <p>That is safe only where Java's own output does not go through those descriptors: in a JMH
 * fork, whose {@code System.out} and {@code System.err} JMH replaces with streams over its link
 * to the host (checked by experiment: with the redirect in place, JMH's iteration lines and our
 * {@code tokenpowerbench:} lines still reach the host's console, llama.cpp's lines reach the file).
 * Elsewhere (JMH's {@code -f 0}, where the fork is the host itself; a test runner that talks over
 * standard output) the descriptors are left alone. The JVM's own rare messages on them (a crash
 * report's first lines, a VM warning) go to the same file once it is redirected.
 */
final class EmbeddedEngineLog {

    /** The system property that keeps llama.cpp's log on the console. */
    static final String SHOW = "tpb.embedded.log";

    private static boolean prepared;
    private static Path redirected;

    private EmbeddedEngineLog() {
    }

    /** The C library calls the redirect needs; Linux only (the flag values are Linux's). */
    interface C extends Library {
        int O_WRONLY = 01;
        int O_CREAT = 0100;
        int O_APPEND = 02000;

        int open(String path, int flags, int mode);

        int dup2(int from, int to);

        int close(int fd);

        int fflush(Pointer stream);
    }

    /**
     * Once per process, before the first model loads: sends this process's native output to
     * {@code <run folder>/engines/embedded-<pid>.log} when this is a JMH fork under a run folder on
     * Linux and the user did not ask to see the log; loads the binding (whose loader prints a line
     * of its own on {@code System.out}, sent to the same file); and, unless the log is shown,
     * installs the binding's logger hook that passes only llama.cpp's errors on (for a binding whose
     * hook fires; 4.2.0's does not).
     *
     * @return the log file, or null where the output was left on the console (and why is in
     *         {@link #where()})
     * @throws EngineException if the folder or file cannot be made (the line names it)
     */
    static synchronized Path prepare() {
        if (prepared) {
            return redirected;
        }
        prepared = true;
        String runDir = System.getProperty("tpb.runDir");
        boolean show = Boolean.getBoolean(SHOW);
        if (!show && runDir != null && Platform.isLinux() && javaOutputBypassesDescriptors()) {
            redirected = redirect(Path.of(runDir, "engines", "embedded-" + ProcessHandle.current().pid() + ".log")
                    .toAbsolutePath());
            PrintStream out = System.out;
            try (PrintStream file = new PrintStream(new FileOutputStream(redirected.toFile(), true), true,
                    StandardCharsets.UTF_8)) {
                System.setOut(file);
                loadBinding();
            } catch (IOException e) {
                throw new EngineException("cannot write llama.cpp's log to " + redirected + " (" + e
                        + "): choose a writable run folder with -Dtpb.runDir=DIR");
            } finally {
                System.setOut(out);
            }
        }
        if (!show) {
            LlamaModel.setLogger(LogFormat.TEXT, (level, message) -> {
                if (level == LogLevel.ERROR) {
                    System.err.print("llama.cpp: " + message);
                }
            });
        }
        return redirected;
    }

    private static void loadBinding() {
        try {
            Class.forName(LlamaModel.class.getName(), true, EmbeddedEngineLog.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("the llama.cpp binding is not on the class path", e);
        }
    }

    private static Path redirect(Path file) {
        try {
            Files.createDirectories(file.getParent());
        } catch (IOException e) {
            throw new EngineException("cannot create " + file.getParent() + " for llama.cpp's log (" + e
                    + "): choose a writable run folder with -Dtpb.runDir=DIR, or show the log with -jvmArgsAppend -D"
                    + SHOW + "=true");
        }
        C c = Native.load("c", C.class);
        int fd = c.open(file.toString(), C.O_WRONLY | C.O_CREAT | C.O_APPEND, 0644);
        if (fd < 0) {
            throw new EngineException("cannot open " + file + " for llama.cpp's log (errno " + Native.getLastError()
                    + "): choose a writable run folder with -Dtpb.runDir=DIR");
        }
        c.fflush(null);
        if (c.dup2(fd, 1) < 0 || c.dup2(fd, 2) < 0) {
            throw new IllegalStateException("dup2 onto standard output/error failed, errno " + Native.getLastError());
        }
        c.close(fd);
        return file;
    }

    /** Where llama.cpp's log went, for the engine's description. */
    static synchronized String where() {
        if (redirected != null) {
            return "llama.cpp's log in " + redirected;
        }
        return Boolean.getBoolean(SHOW) ? "llama.cpp's log on the console (-D" + SHOW + "=true)"
                : "llama.cpp's log on the console (not a JMH fork under a run folder)";
    }

    /**
     * True when both of Java's standard streams are JMH's link to the host rather than the
     * process's descriptors 1 and 2.
     */
    static boolean javaOutputBypassesDescriptors() {
        return isJmhLink(System.out) && isJmhLink(System.err);
    }

    private static boolean isJmhLink(PrintStream stream) {
        return stream.getClass().getName().startsWith("org.openjdk.jmh.runner.link.");
    }
}
