package org.tokenpowerbench.engine;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Finds the {@link EngineProvider} for an engine value by its scheme, through
 * {@link ServiceLoader}, and hands it the request. Providers are registered in
 * {@code META-INF/services/org.tokenpowerbench.engine.EngineProvider}; when two claim the same
 * scheme, the first one on the class path wins.
 */
public final class Engines {

    private Engines() {
    }

    /**
     * Checks an engine value before any fork starts (see {@link EngineProvider#check}).
     *
     * @throws EngineException with one line: the scheme is not known (the line lists the known
     *                         ones), or the provider found the value wrong
     */
    public static void check(EngineRequest request) {
        provider(request).check(request);
    }

    /** {@link #check(EngineRequest)} with what the host knows before a fork: the three values. */
    public static void check(String engine, String model, String quantization) {
        check(EngineRequest.beforeFork(engine, model, quantization));
    }

    /**
     * Opens the engine a trial asks for (see {@link EngineProvider#open}).
     *
     * @throws EngineException with one line that names the value and says what to do
     */
    public static RunningEngine open(EngineRequest request) {
        return provider(request).open(request);
    }

    /** The schemes of all providers that load, sorted. */
    public static SortedSet<String> knownSchemes() {
        return new TreeSet<>(lookup().providers.keySet());
    }

    private static EngineProvider provider(EngineRequest request) {
        Lookup lookup = lookup();
        EngineProvider provider = lookup.providers.get(request.scheme());
        if (provider != null) {
            return provider;
        }
        List<String> examples = new ArrayList<>();
        for (EngineProvider p : lookup.providers.values()) {
            if (!examples.contains(p.example())) {
                examples.add(p.example());
            }
        }
        StringBuilder message = new StringBuilder("engine '").append(request.engine()).append("' is not known: its scheme '")
                .append(request.scheme()).append("' is none of ").append(String.join(", ", lookup.providers.keySet()))
                .append("; give one with -p engine=..., e.g. ").append(String.join(" or ", examples));
        if (!lookup.broken.isEmpty()) {
            message.append("; engine providers that failed to load: ").append(String.join("; ", lookup.broken));
        }
        throw new EngineException(message.toString());
    }

    private record Lookup(Map<String, EngineProvider> providers, SortedSet<String> broken) {
    }

    /**
     * Loaded afresh on every call, as {@code PowerSensors} does: a sweep asks a handful of times,
     * and a provider keeps no state in the lookup.
     */
    private static Lookup lookup() {
        Map<String, EngineProvider> found = new TreeMap<>();
        SortedSet<String> broken = new TreeSet<>();
        Iterator<EngineProvider> it = ServiceLoader.load(EngineProvider.class).iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                EngineProvider provider = it.next();
                for (String scheme : provider.schemes()) {
                    found.putIfAbsent(scheme.toLowerCase(Locale.ROOT), provider);
                }
            } catch (ServiceConfigurationError e) {
                broken.add(e.getMessage());
                if (broken.size() > 50) {
                    break; // a broken registration that keeps failing; what we have is enough to report
                }
            }
        }
        return new Lookup(found, broken);
    }
}
