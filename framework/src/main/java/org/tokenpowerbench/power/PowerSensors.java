package org.tokenpowerbench.power;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Finds a {@link PowerSensorProvider} by id through {@link ServiceLoader} and opens its sensor.
 * Providers are registered in
 * {@code META-INF/services/org.tokenpowerbench.power.PowerSensorProvider}; when two share an id,
 * the first one on the class path wins.
 */
public final class PowerSensors {

    private PowerSensors() {
    }

    /**
     * Opens the sensor whose provider has this id.
     *
     * @param id      e.g. {@code rapl}, {@code cpu}, {@code nvml}
     * @param options {@code key=value} options for the provider; null means none
     * @throws SensorUnavailableException if no provider has this id (the message lists the known
     *                                    ids) or the provider cannot open its sensor here
     */
    public static PowerSensor open(String id, Map<String, String> options) throws SensorUnavailableException {
        Lookup lookup = lookup();
        PowerSensorProvider provider = lookup.providers.get(id == null ? null : id.trim());
        if (provider == null) {
            StringBuilder message = new StringBuilder("no power sensor '").append(id)
                    .append("'; known sensors: ").append(String.join(", ", lookup.providers.keySet()));
            if (!lookup.broken.isEmpty()) {
                message.append("; providers that failed to load: ").append(String.join("; ", lookup.broken));
            }
            throw new SensorUnavailableException(message.toString());
        }
        return provider.open(options == null ? Map.of() : Map.copyOf(options));
    }

    /** Each provider's id and one-line description ({@link PowerSensorProvider#description()}), sorted by id. */
    public static java.util.SortedMap<String, String> descriptions() {
        java.util.SortedMap<String, String> out = new java.util.TreeMap<>();
        lookup().providers.forEach((id, p) -> out.put(id, p.description()));
        return out;
    }

    /** The ids of all providers that load, sorted. */
    public static SortedSet<String> knownIds() {
        return new TreeSet<>(lookup().providers.keySet());
    }

    private record Lookup(Map<String, PowerSensorProvider> providers, SortedSet<String> broken) {
    }

    private static Lookup lookup() {
        Map<String, PowerSensorProvider> found = new LinkedHashMap<>();
        SortedSet<String> broken = new TreeSet<>();
        Iterator<PowerSensorProvider> it = ServiceLoader.load(PowerSensorProvider.class).iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                PowerSensorProvider provider = it.next();
                found.putIfAbsent(provider.id(), provider);
            } catch (ServiceConfigurationError e) {
                broken.add(e.getMessage());
                if (broken.size() > 50) {
                    break; // a broken registration that keeps failing; what we have is enough to report
                }
            }
        }
        Map<String, PowerSensorProvider> sorted = new LinkedHashMap<>();
        new TreeSet<>(found.keySet()).forEach(k -> sorted.put(k, found.get(k)));
        return new Lookup(sorted, broken);
    }
}
