package org.tokenpowerbench.engine.launch;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A managed engine we control, run as a process of its own with the test JVM's {@code java}: it
 * binds {@code 127.0.0.1:PORT}, answers {@code /health} and {@code /v1/completions} like a server,
 * and misbehaves on demand, so the lifecycle is tested against a real child process.
 *
 * <p>Arguments: the port, then any of {@code delayMs=N} (loads that long before health answers 2xx),
 * {@code crash} (prints an error and exits 3 before binding), {@code neverReady} (health always 503),
 * {@code ignoreTerm} (SIGTERM does nothing), {@code spawnChild} (starts {@code sleep 600} and prints
 * {@code CHILD <pid>}), {@code dieAfterMs=N} (exits 9 that long after it is ready), {@code bindAfterMs=N}
 * (waits that long before it binds its port).
 */
public final class FakeEngine {

    private FakeEngine() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        List<String> flags = List.of(args).subList(1, args.length);
        System.out.println("fake engine starting on :" + port + " with " + flags);
        if (flags.contains("crash")) {
            System.out.println("error: unknown argument --no-such-flag");
            System.exit(3);
        }
        if (flags.contains("ignoreTerm")) {
            sun.misc.Signal.handle(new sun.misc.Signal("TERM"), s -> System.out.println("ignoring SIGTERM"));
        }
        if (flags.contains("spawnChild")) {
            Process child = new ProcessBuilder("sleep", "600").start();
            System.out.println("CHILD " + child.pid());
        }
        long bindAfter = number(flags, "bindAfterMs=");
        if (bindAfter > 0) { // an engine that loads for a while before it binds its port (vLLM's imports, say)
            Thread.sleep(bindAfter);
        }
        long delay = number(flags, "delayMs=");
        long readyAt = System.currentTimeMillis() + Math.max(0, delay);
        boolean neverReady = flags.contains("neverReady");
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
        } catch (IOException e) {
            System.out.println("error: couldn't bind to server socket: port " + port + ": " + e.getMessage());
            System.exit(4);
            return;
        }
        server.createContext("/health", x -> answer(x, !neverReady && System.currentTimeMillis() >= readyAt ? 200 : 503,
                "{\"status\":\"ok\"}"));
        server.createContext("/version", x -> answer(x, 200, "{\"version\":\"fake-1.2\"}"));
        server.createContext("/v1/completions", x -> answer(x, 200,
                "{\"choices\":[{\"text\":\"x\"}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}"));
        server.start();
        System.out.println("listening on :" + port);
        long dieAfter = number(flags, "dieAfterMs=");
        if (dieAfter >= 0) {
            Thread.sleep(Math.max(0, readyAt - System.currentTimeMillis()) + dieAfter);
            System.out.println("fatal: CUDA error: an illegal memory access was encountered");
            Runtime.getRuntime().halt(9);
        }
        Thread.sleep(Long.MAX_VALUE);
    }

    private static long number(List<String> flags, String prefix) {
        return flags.stream().filter(f -> f.startsWith(prefix)).map(f -> Long.parseLong(f.substring(prefix.length())))
                .findFirst().orElse(-1L);
    }

    private static void answer(HttpExchange x, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        x.getRequestBody().readAllBytes();
        x.sendResponseHeaders(status, bytes.length);
        x.getResponseBody().write(bytes);
        x.close();
    }
}
