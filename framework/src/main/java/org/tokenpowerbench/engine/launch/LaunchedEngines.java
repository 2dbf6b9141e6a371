package org.tokenpowerbench.engine.launch;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import org.tokenpowerbench.engine.EngineException;

/**
 * The host's one managed engine at a time, trial after trial: starts it on a free loopback port,
 * keeps it for the next trial when that trial's {@link LaunchCommand#identity()} is the same (only
 * client-side axes differ), and stops it otherwise. Knows nothing of JMH or the run folder: the
 * sweep writes what {@link #serve} returns.
 *
 * <p>System properties: {@code tpb.launch.readySeconds} (how long a start may take, default
 * 600: a 70B model loads for minutes), {@code tpb.launch.stopSeconds} (SIGTERM's grace before
 * SIGKILL, default 30).
 */
public final class LaunchedEngines implements AutoCloseable {

    /** How a trial's command is made: {@link LaunchCommands#command} in a sweep, a fixed command in tests. */
    @FunctionalInterface
    public interface Commands {
        LaunchCommand command(String engineValue, LaunchAxes axes, int port);
    }

    /** How long to wait and how often to say so. */
    public record Timing(Duration ready, Duration stopGrace, Duration progressEvery) {

        public static final String READY_SECONDS = "tpb.launch.readySeconds";
        public static final String STOP_SECONDS = "tpb.launch.stopSeconds";

        /** From {@code tpb.launch.readySeconds} and {@code tpb.launch.stopSeconds}; progress every 5 s. */
        public static Timing fromSystemProperties() {
            return new Timing(seconds(READY_SECONDS, 600), seconds(STOP_SECONDS, 30), Duration.ofSeconds(5));
        }

        private static Duration seconds(String property, long fallback) {
            String v = System.getProperty(property);
            if (v == null) {
                return Duration.ofSeconds(fallback);
            }
            try {
                long s = Long.parseLong(v.trim());
                if (s >= 0 && s <= 86_400) {
                    return Duration.ofSeconds(s);
                }
            } catch (NumberFormatException e) {
                // said below
            }
            throw new EngineException(property + "=" + v + " is not a whole number of seconds from 0 to 86400:"
                    + " give e.g. -D" + property + "=" + fallback);
        }
    }

    /**
     * An engine serving a trial.
     *
     * @param engine         the process
     * @param reused         whether it was already running for an earlier trial
     * @param startupSeconds launch to ready; 0 when reused
     * @param startupJoules  per sensor label; empty when reused or unmeasured
     * @param version        what the engine says its version is, or null
     */
    public record Served(EngineProcess engine, boolean reused, double startupSeconds, Map<String, Double> startupJoules,
                         String version) {
    }

    /**
     * The last start tried: its command (null when making it failed), the port it was given, and the
     * process (null when it could not be started). What a failed start's row in the run folder names.
     */
    public record Attempt(LaunchCommand command, int port, EngineProcess process) {
    }

    /** An engine that ended: how it was stopped (or that it had died), for the run folder. */
    public record Ended(EngineProcess engine, EngineProcess.Stopped stopped, String why) {
    }

    private final Commands commands;
    private final Timing timing;
    private final PrintStream console;
    private final Consumer<Ended> onEnded;
    private EngineProcess current;
    private String currentVersion;
    private Attempt attempt;

    /** @param onEnded told of every engine that ends (stopped, or found dead), as it ends */
    public LaunchedEngines(Commands commands, Timing timing, PrintStream console, Consumer<Ended> onEnded) {
        this.commands = commands;
        this.timing = timing;
        this.console = console;
        this.onEnded = onEnded;
    }

    /**
     * An engine for a trial: the running one when its identity is the trial's and it is alive,
     * else a fresh one (the old one stopped first), ready.
     *
     * @param log   the log file for a fresh engine
     * @param meter measures the start-up window
     * @throws EngineException when the engine exits while starting or is not ready in time, with
     *                         its log's last lines; nothing is left running then
     */
    public Served serve(String engineValue, LaunchAxes axes, Path log, StartupMeter meter) {
        attempt = null;
        if (current != null) {
            LaunchCommand same = commands.command(engineValue, axes, current.port());
            boolean sameCommand = same.identity().equals(current.command().identity());
            // alive is not enough: a hung engine (stopped, deadlocked) once failed every later trial it was reused for
            boolean answers = sameCommand && current.alive() && current.answersHealth();
            if (answers) {
                console.println("tokenpowerbench: reusing the running engine on :" + current.port()
                        + " (same launch command; only client-side values differ)");
                return new Served(current, true, 0, Map.of(), currentVersion);
            }
            stop(!current.alive() ? "it had died" : sameCommand ? "it no longer answered its health path"
                    : "the next trial needs another launch command");
        }
        int port = freePort();
        try {
            return start(engineValue, axes, port, log, meter);
        } catch (EngineProcess.Exited e) {
            if (!portTaken(port)) {
                throw e;
            }
            int second = freePort();
            console.println("tokenpowerbench: port " + port + " was taken before the engine bound it; trying :" + second);
            try {
                return start(engineValue, axes, second, log, meter);
            } catch (EngineProcess.Exited again) {
                if (portTaken(second)) {
                    throw new EngineException("the engine could not bind a free loopback port twice (:" + port
                            + ", then :" + second + ", both taken by another program meanwhile): run again, or"
                            + " stop what opens ports on 127.0.0.1 so fast");
                }
                throw again;
            }
        }
    }

    private Served start(String engineValue, LaunchAxes axes, int port, Path log, StartupMeter meter) {
        attempt = new Attempt(null, port, null);
        LaunchCommand command = commands.command(engineValue, axes, port);
        attempt = new Attempt(command, port, null);
        StartupMeter.Window window = meter.open();
        EngineProcess engine = EngineProcess.start(command, port, log);
        attempt = new Attempt(command, port, engine);
        double seconds;
        Map<String, Double> joules;
        try {
            seconds = engine.awaitReady(timing.ready(), timing.progressEvery(), console);
        } catch (RuntimeException e) {
            window.close();
            engine.stop(timing.stopGrace(), console);
            throw e;
        }
        joules = window.close();
        current = engine;
        currentVersion = engine.version();
        console.println("tokenpowerbench: engine ready on :" + port + " after " + String.format("%.1f", seconds)
                + " s (log " + log + ")");
        return new Served(engine, false, seconds, joules, currentVersion);
    }

    /**
     * Stops the running engine, if any (also one that died on its own: its exit status is then
     * recorded); returns how it ended, or null when none was running.
     */
    public Ended stop(String why) {
        if (current == null) {
            return null;
        }
        EngineProcess e = current;
        current = null;
        currentVersion = null;
        boolean died = !e.alive();
        EngineProcess.Stopped stopped = e.stop(timing.stopGrace(), console);
        if (stopped.escaped() > 0) {
            console.println("tokenpowerbench: stopped " + stopped.escaped() + " process" + (stopped.escaped() == 1 ? "" : "es")
                    + " of the engine on :" + e.port() + " that had left its process tree and group (found by "
                    + EngineTag.VARIABLE + " in their environment)");
        }
        Ended ended = new Ended(e, stopped, died ? "it had died (exit status " + stopped.exitStatus() + ")" : why);
        onEnded.accept(ended);
        return ended;
    }

    /** The last start {@link #serve} tried (the running engine's, or one that failed), or null when it started none. */
    public Attempt lastAttempt() {
        return attempt;
    }

    /** The running engine, or null. */
    public EngineProcess current() {
        return current;
    }

    @Override
    public void close() {
        stop("the sweep ended");
    }

    /** A loopback port free now (the OS picks it); the engine binds it a moment later. */
    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new EngineException("no free port on 127.0.0.1 for the engine: " + e.getMessage());
        }
    }

    private static boolean portTaken(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }
}
