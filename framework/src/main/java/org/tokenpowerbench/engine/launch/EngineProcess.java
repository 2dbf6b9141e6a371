package org.tokenpowerbench.engine.launch;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.tokenpowerbench.engine.EngineException;

/**
 * One managed engine process: started in a process group of its own, its output in a log file,
 * watched until it is ready, stopped with its whole tree. It knows nothing of any engine's flags
 * (its {@link LaunchCommand} does) and nothing of trials.
 *
 * <p><b>Why a process group.</b> Engines spawn workers (vLLM one per GPU, a Python launcher its
 * server); stopping only the process we started leaves them holding GPU memory. {@code setsid}
 * (util-linux, on every Linux we run on) puts the engine and everything it spawns in one group that
 * one signal reaches, even those re-parented to init after their parent died. Where {@code setsid}
 * is missing the engine starts as a plain child and stop falls back to the tree that
 * {@link ProcessHandle#descendants()} sees.
 *
 * <p><b>Ready</b> means the health path answers 2xx <em>and</em> a one-token completion succeeds:
 * servers answer health while the model still loads (llama.cpp answers 503, some answer 200 early).
 * A shutdown hook kills the group if this JVM ends while the engine runs, so Ctrl-C or a crash of
 * the benchmark leaves no engine behind.
 */
public final class EngineProcess implements AutoCloseable {

    /** How many log lines a failure quotes. */
    public static final int TAIL_LINES = 20;

    private static final Path SETSID = Path.of("/usr/bin/setsid");
    private static final int VERSION_CAP = 2000;

    private final LaunchCommand command;
    private final int port;
    private final Path log;
    private final Process process;
    private final boolean ownGroup;
    /** The environment's secrets, taken out of every log line a failure quotes. */
    private final EnvironmentSecrets secrets;
    /** The mark in its environment that finds the processes which left its tree and group. */
    private final EngineTag tag;
    private final long startedNanos = System.nanoTime();
    private final Thread hook;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** Whether a server that is not the engine's answered on its port while it started. */
    private boolean foreign;

    private EngineProcess(LaunchCommand command, int port, Path log, Process process, boolean ownGroup,
                          EnvironmentSecrets secrets, EngineTag tag) {
        this.command = command;
        this.secrets = secrets;
        this.tag = tag;
        this.port = port;
        this.log = log;
        this.process = process;
        this.ownGroup = ownGroup;
        this.hook = new Thread(() -> kill(Duration.ofSeconds(3), null), "tpb-engine-" + process.pid());
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /**
     * Starts {@code command}, which listens on {@code port}, with its output appended to {@code log}.
     *
     * @throws EngineException when the program cannot be executed
     */
    public static EngineProcess start(LaunchCommand command, int port, Path log) {
        boolean group = Files.isExecutable(SETSID);
        List<String> argv = new ArrayList<>();
        if (group) {
            argv.add(SETSID.toString());
        }
        argv.addAll(command.argv());
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
            ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().putAll(command.environment());
            EngineTag tag = EngineTag.fresh();
            pb.environment().put(EngineTag.VARIABLE, tag.value());
            return new EngineProcess(command, port, log, pb.start(), group, EnvironmentSecrets.of(pb.environment()), tag);
        } catch (IOException e) {
            throw new EngineException("cannot start engine " + command.argv().get(0) + ": " + e.getMessage()
                    + " (check bin=... in the engine value, and that it is executable)");
        }
    }

    /** The base URL: {@code http://127.0.0.1:PORT}. */
    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public Path log() {
        return log;
    }

    public LaunchCommand command() {
        return command;
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** Whether the health path answers 2xx within {@value #HEALTH_SECONDS} s: what a reuse asks of a running engine. */
    public boolean answersHealth() {
        return ok(HttpRequest.newBuilder(URI.create(url() + command.healthPath())).GET(),
                Duration.ofSeconds(HEALTH_SECONDS));
    }

    static final int HEALTH_SECONDS = 5;

    /** Waits until the engine's own process ends (it died, or was stopped); returns its exit status. */
    public int waitForExit() throws InterruptedException {
        return process.waitFor();
    }

    /** The exit status once it has ended, else null. */
    public Integer exitStatus() {
        return process.isAlive() ? null : process.exitValue();
    }

    /**
     * Waits until the engine is ready, printing a progress line every {@code progressEvery}.
     * Returns the seconds from start to ready.
     *
     * @throws EngineException when the engine exits first ({@link Exited}), or is not ready within
     *                         {@code timeout}; both with the log's last lines
     */
    public double awaitReady(Duration timeout, Duration progressEvery, PrintStream progress) {
        long deadline = startedNanos + timeout.toNanos();
        long nextLine = System.nanoTime() + progressEvery.toNanos();
        String program = Path.of(command.argv().get(0)).getFileName().toString();
        while (true) {
            if (!process.isAlive()) {
                throw new Exited("engine " + program + " exited with status " + process.exitValue()
                        + " while starting (log " + log + "); its last lines:" + tail());
            }
            if (ready(deadline) && process.isAlive()) {
                if (listensHere()) {
                    return (System.nanoTime() - startedNanos) / 1e9;
                }
                // another program's server answers on the port: the engine will fail to bind it and exit,
                // and the caller retries on a new port; never measure the intruder as the engine
                foreign = true;
            }
            long now = System.nanoTime();
            if (now - deadline >= 0) {
                throw new EngineException("engine " + program + " was not ready on :" + port + " after "
                        + timeout.toSeconds() + " s" + (foreign ? " (a server that is not the engine's answers on that"
                        + " port)" : "") + " (raise -Dtpb.launch.readySeconds, or see its log " + log
                        + "); its last lines:" + tail());
            }
            if (now - nextLine >= 0) {
                progress.println("tokenpowerbench: waiting for " + program + " on :" + port + ", "
                        + Math.round((now - startedNanos) / 1e9) + " s, log: " + log);
                nextLine = now + progressEvery.toNanos();
            }
            try {
                process.waitFor(250, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EngineException("interrupted while waiting for engine " + program + " on :" + port);
            }
        }
    }

    /** The engine exited before it was ready: the trial fails, a fresh engine serves the next one. */
    public static final class Exited extends EngineException {
        Exited(String message) {
            super(message);
        }
    }

    /**
     * Whether the server answering on the port is the engine's: a process of its tree or group holds
     * the listening socket. An independent check had a third program bind the port while a slow
     * engine was still loading: the sweep measured that program's server and reported success. Where
     * the kernel's tables cannot be read (not Linux) it is taken to be ours, as before.
     */
    private boolean listensHere() {
        Set<Long> listening = ListeningSockets.inodes(port);
        if (listening == null || listening.isEmpty()) {
            return true;
        }
        Set<Long> ours = new java.util.HashSet<>();
        ours.add(process.pid());
        process.descendants().forEach(h -> ours.add(h.pid()));
        if (ownGroup) {
            ours.addAll(ListeningSockets.groupMembers(process.pid()));
        }
        Boolean held = ListeningSockets.heldBy(ours, listening);
        return held == null || held;
    }

    /** Health 2xx, then a one-token completion 2xx. */
    private boolean ready(long deadlineNanos) {
        if (!ok(HttpRequest.newBuilder(URI.create(url() + command.healthPath())).GET(), Duration.ofSeconds(2))) {
            return false;
        }
        String body = "{\"model\":" + jsonString(command.servedModel()) + ",\"prompt\":\"Hello\",\"max_tokens\":1}";
        // up to 30 s for a first completion's warm-up, but never past the ready limit (it once overshot it by 30 s)
        long left = Math.max(1_000_000_000L, Math.min(30_000_000_000L, deadlineNanos - System.nanoTime()));
        return ok(HttpRequest.newBuilder(URI.create(url() + "/v1/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)), Duration.ofNanos(left));
    }

    /** Health answers at once or not at all; the first completion may wait for a warm-up (CUDA graphs, say). */
    private boolean ok(HttpRequest.Builder request, Duration timeout) {
        try {
            HttpResponse<Void> r = http.send(request.timeout(timeout).build(),
                    HttpResponse.BodyHandlers.discarding());
            return r.statusCode() / 100 == 2;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * What the engine says its version is: the version command's output, else the version path's
     * body, at most 2,000 characters on one line; null when it says nothing.
     */
    public String version() {
        if (!command.versionArgv().isEmpty()) {
            Path file = null;
            try {
                // into a file, not a pipe: a version command that leaves a child holding its output open
                // once hung the sweep in a read with no end
                file = Files.createTempFile("tpb-version", ".txt");
                Process v = new ProcessBuilder(command.versionArgv()).redirectErrorStream(true)
                        .redirectOutput(file.toFile()).start();
                if (!v.waitFor(10, TimeUnit.SECONDS)) {
                    v.descendants().forEach(ProcessHandle::destroyForcibly);
                    v.destroyForcibly();
                }
                byte[] out;
                try (InputStream in = Files.newInputStream(file)) {
                    out = in.readNBytes(VERSION_CAP);
                }
                String text = oneLine(new String(out, StandardCharsets.UTF_8));
                if (!text.isEmpty()) {
                    return text;
                }
            } catch (IOException e) {
                // no version command: try the path
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            } finally {
                if (file != null) {
                    try {
                        Files.deleteIfExists(file);
                    } catch (IOException e) {
                        // a temporary file left behind
                    }
                }
            }
        }
        if (command.versionPath() != null) {
            try {
                HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(url() + command.versionPath()))
                        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
                try (InputStream in = r.body()) {
                    byte[] out = in.readNBytes(VERSION_CAP);
                    return r.statusCode() / 100 == 2 ? oneLine(new String(out, StandardCharsets.UTF_8)) : null;
                }
            } catch (IOException e) {
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\s+", " ").trim();
    }

    /**
     * The log's last {@value #TAIL_LINES} lines, each on a line of its own indented, or a note that it
     * is empty; the values of the engine's secret-looking environment variables ({@link EnvironmentSecrets})
     * redacted before a line is cut, so no cut leaves a secret's first characters behind.
     */
    public String tail() {
        List<String> lines;
        try {
            lines = lastLines();
        } catch (IOException e) {
            return " (log " + log + " cannot be read: " + e.getMessage() + ")";
        }
        if (lines.isEmpty()) {
            return " (the log is empty)";
        }
        StringBuilder s = new StringBuilder();
        for (String line : lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size())) {
            String l = secrets.apply(line);
            s.append("\n    ").append(l.length() > TAIL_LINE_CHARS ? l.substring(0, TAIL_LINE_CHARS) + " ..." : l);
        }
        return s.toString();
    }

    /** The most of a log line a failure quotes. */
    static final int TAIL_LINE_CHARS = 500;
    /** The most of the log's end read for its last lines: a log of gigabytes once filled the heap. */
    static final int TAIL_BYTES = 64 * 1024;

    /** The lines of the log's last {@value #TAIL_BYTES} bytes (the first, likely cut, left out when the log is longer). */
    private List<String> lastLines() throws IOException {
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(log.toFile(), "r")) {
            long from = Math.max(0, f.length() - TAIL_BYTES);
            byte[] bytes = new byte[(int) (f.length() - from)];
            f.seek(from);
            f.readFully(bytes);
            List<String> lines = new ArrayList<>(new String(bytes, StandardCharsets.ISO_8859_1).lines().toList());
            if (from > 0 && !lines.isEmpty()) {
                lines.remove(0);
            }
            return lines;
        }
    }

    /**
     * How a stop went: seconds it took, the engine's exit status, whether it had to be killed, the
     * ids of every process of its tree and of the escaped ones (for a GPU's process list, which may
     * still show them), and how many processes had escaped the tree and the group ({@link EngineTag})
     * and were stopped by their mark.
     */
    public record Stopped(double seconds, int exitStatus, boolean killed, Set<Long> pids, int escaped) {
        public Stopped {
            pids = Set.copyOf(pids);
        }
    }

    /**
     * SIGTERM to the group (and every descendant), SIGKILL to the whole tree after {@code grace};
     * waits until every process of it is gone.
     */
    public Stopped stop(Duration grace) {
        return stop(grace, null);
    }

    /**
     * {@link #stop(Duration)}, saying on {@code console} (when not null) that the wait for SIGKILL
     * begins: which engine, its pid, and how long it waits, since the grace can be 30 s of silence.
     */
    public Stopped stop(Duration grace, PrintStream console) {
        long from = System.nanoTime();
        Set<Long> pids = new java.util.TreeSet<>();
        tree().forEach(p -> pids.add(p.pid()));
        Ending ending = kill(grace, console);
        ending.escaped().forEach(p -> pids.add(p.pid()));
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // shutting down already: the hook finds nothing left
        }
        return new Stopped((System.nanoTime() - from) / 1e9, process.exitValue(), ending.killed(), pids,
                ending.escaped().size());
    }

    /** What a kill did: whether SIGKILL was needed, and the processes that had escaped the tree and the group. */
    private record Ending(boolean killed, Set<ProcessHandle> escaped) {
    }

    /**
     * SIGTERM to the group and the tree, and to every process that carries the engine's mark but has
     * left both (a double fork, a {@code setsid}); SIGKILL to all of them after {@code grace}.
     */
    private Ending kill(Duration grace, PrintStream console) {
        Set<ProcessHandle> tree = tree();
        // one TERM per process: a second one reads as "force" to servers such as llama.cpp's, which then
        // skip their clean shutdown (every stop once logged "second interrupt" and exited 1, not 143)
        Set<Long> signalled = signalGroup("TERM") ? ListeningSockets.groupMembers(process.pid()) : Set.of();
        tree.stream().filter(h -> !signalled.contains(h.pid())).forEach(ProcessHandle::destroy);
        Set<ProcessHandle> escaped = new LinkedHashSet<>();
        termEscaped(tree, escaped);
        long deadline = System.nanoTime() + grace.toNanos();
        if (console != null && grace.compareTo(Duration.ZERO) > 0 && process.isAlive()) {
            console.println("tokenpowerbench: stopping engine " + Path.of(command.argv().get(0)).getFileName()
                    + " (pid " + process.pid() + ", :" + port + "): SIGTERM sent, waiting up to " + grace.toSeconds()
                    + " s for it to exit before SIGKILL (-Dtpb.launch.stopSeconds)");
        }
        boolean killed = false;
        while (true) {
            tree.addAll(tree()); // a worker spawned while stopping
            if (tree.stream().noneMatch(ProcessHandle::isAlive) && !groupAlive()
                    && escaped.stream().noneMatch(ProcessHandle::isAlive)) {
                if (!termEscaped(tree, escaped)) {
                    break; // a last look: nothing marked is left
                }
                continue;
            }
            if (System.nanoTime() - deadline >= 0) {
                killed = true;
                signalGroup("KILL");
                tree.forEach(ProcessHandle::destroyForcibly);
                termEscaped(tree, escaped);
                escaped.forEach(ProcessHandle::destroyForcibly);
                deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                grace = Duration.ZERO;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                signalGroup("KILL");
                tree.forEach(ProcessHandle::destroyForcibly);
                escaped.forEach(ProcessHandle::destroyForcibly);
                tag.processes().forEach(ProcessHandle::destroyForcibly);
                return new Ending(true, escaped);
            }
        }
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new Ending(killed, escaped);
    }

    /**
     * SIGTERM, once, to every live process with the engine's mark that is neither in {@code tree} nor
     * in the engine's group (those had theirs), adding it to {@code escaped}; returns whether it found one.
     */
    private boolean termEscaped(Set<ProcessHandle> tree, Set<ProcessHandle> escaped) {
        Set<ProcessHandle> marked = tag.processes();
        if (marked.isEmpty()) {
            return false;
        }
        Set<Long> known = new java.util.HashSet<>();
        tree.forEach(h -> known.add(h.pid()));
        escaped.forEach(h -> known.add(h.pid()));
        if (ownGroup) {
            known.addAll(ListeningSockets.groupMembers(process.pid()));
        }
        boolean found = false;
        for (ProcessHandle h : marked) {
            if (!known.contains(h.pid())) {
                h.destroy();
                escaped.add(h);
                found = true;
            }
        }
        return found;
    }

    private Set<ProcessHandle> tree() {
        Set<ProcessHandle> all = new LinkedHashSet<>();
        all.add(process.toHandle());
        process.descendants().forEach(all::add);
        return all;
    }

    /** Whether any process is left in the engine's group (signal 0 reaches one). */
    private boolean groupAlive() {
        return ownGroup && signalGroup("0");
    }

    /** {@code kill -SIG -- -PGID}; returns whether a process received it. */
    private boolean signalGroup(String signal) {
        if (!ownGroup) {
            return false;
        }
        try {
            Process k = new ProcessBuilder("kill", "-s", signal, "--", "-" + process.pid())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return k.waitFor(5, TimeUnit.SECONDS) && k.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(30));
    }

    private static String jsonString(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
