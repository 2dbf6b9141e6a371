package org.tokenpowerbench.client;

import java.util.Locale;

/**
 * How a deployment of several replicas ({@link Endpoint#replicas()}) shares the requests: the
 * two rules a load balancer in front of an inference fleet most often uses, named in the engine
 * value ({@code ;route=roundRobin}) so that a result says which one it measured.
 */
public enum Route {
    /** Replicas in turn: each gets every n-th request whatever it is doing (the default: it is what DNS and most proxies do). */
    ROUND_ROBIN("roundRobin"),
    /**
     * The replica with the fewest of this client's requests in flight, the first in turn among
     * equals: a slow replica gets fewer requests. A replica that fails at once (refused connects)
     * would always look idle and draw requests, so after three refusals in a row the client takes
     * it out of the rotation (under either route), as a balancer's health check would.
     */
    LEAST_IN_FLIGHT("leastInFlight");

    private final String label;

    Route(String label) {
        this.label = label;
    }

    /** The name the engine value and the results use. */
    public String label() {
        return label;
    }

    /** @throws IllegalArgumentException when {@code name} is none of the labels (the caller words the user's error) */
    public static Route of(String name) {
        for (Route r : values()) {
            if (r.label.toLowerCase(Locale.ROOT).equals(name.trim().toLowerCase(Locale.ROOT))) {
                return r;
            }
        }
        throw new IllegalArgumentException("no route '" + name + "'");
    }
}
