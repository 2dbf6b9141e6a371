package org.tokenpowerbench.engine;

/**
 * The embedded llama.cpp engine as a server process that a launch command can start, as it starts
 * llama-server: listens on the port {@code -Dtpb.embedded.port} names and serves until it is
 * stopped (unlike {@link ServeEmbedded}, which ends with its standard input).
 *
 * <p>Arguments: model, slots, context per slot.
 */
public final class ServeEmbeddedOnPort {

    private ServeEmbeddedOnPort() {
    }

    public static void main(String[] args) throws InterruptedException {
        try (RunningEngine engine = Engines.open(new EngineRequest("embedded", args[0], "f16", Integer.parseInt(args[1]),
                Integer.parseInt(args[2]), null))) {
            System.out.println("serving " + engine.endpoint().baseUrl());
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
