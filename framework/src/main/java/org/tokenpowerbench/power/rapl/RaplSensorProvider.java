package org.tokenpowerbench.power.rapl;

import org.tokenpowerbench.UserError;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import org.tokenpowerbench.power.PowerSensor;
import org.tokenpowerbench.power.PowerSensorProvider;
import org.tokenpowerbench.power.SensorUnavailableException;

/**
 * Opens a {@link RaplSensor} under the id {@code rapl}.
 *
 * <p>Options:
 * <ul>
 *   <li>{@code root=<dir>}: the powercap directory, default {@code /sys/class/powercap} (tests
 *       point it at a fake tree);</li>
 *   <li>{@code dram=true|false}: also read each package's DRAM zone where one exists, default
 *       {@code true}.</li>
 * </ul>
 * An unknown option or a malformed value is an {@link IllegalArgumentException}.
 */
public final class RaplSensorProvider implements PowerSensorProvider {

    private static final Set<String> OPTIONS = Set.of("root", "dram");

    @Override
    public String id() {
        return "rapl";
    }

    @Override
    public String description() {
        return "CPU package and DRAM energy from Linux RAPL counters (counter, cpu and dram scope); root=/sys/class/powercap";
    }

    @Override
    public PowerSensor open(Map<String, String> options) throws SensorUnavailableException {
        for (String key : options.keySet()) {
            if (!OPTIONS.contains(key)) {
                throw new UserError("unknown rapl option '" + key
                        + "': the rapl sensor takes root=<powercap dir> and dram=true|false");
            }
        }
        Path root = RaplSensor.DEFAULT_ROOT;
        String rootText = options.get("root");
        if (rootText != null) {
            try {
                root = Path.of(rootText.trim());
            } catch (InvalidPathException e) {
                throw new UserError("rapl option root='" + rootText
                        + "' is not a valid path: give the powercap directory, e.g. root=/sys/class/powercap");
            }
        }
        boolean dram = true;
        String dramText = options.get("dram");
        if (dramText != null) {
            switch (dramText.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "true" -> dram = true;
                case "false" -> dram = false;
                default -> throw new UserError("rapl option dram='" + dramText
                        + "' is neither true nor false: write dram=true to add DRAM zones or dram=false to skip them");
            }
        }
        return RaplSensor.open(root, dram);
    }
}
