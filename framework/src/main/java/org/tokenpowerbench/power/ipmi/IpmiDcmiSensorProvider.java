package org.tokenpowerbench.power.ipmi;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.tokenpowerbench.UserError;
import org.tokenpowerbench.power.OptionLine;
import org.tokenpowerbench.power.PowerSensor;
import org.tokenpowerbench.power.PowerSensorProvider;
import org.tokenpowerbench.power.SensorUnavailableException;

/**
 * Opens an {@link IpmiDcmiSensor} under the id {@code ipmi}. In-band by default
 * ({@code -prof ipmi}); a remote BMC with {@code -prof 'ipmi:host=bmc-1;userEnv=BMC_USER;passwordEnv=BMC_PASS'},
 * the user and password read from the environment variables named, so that neither appears on a
 * command line, in a log or in the run folder. Other options: {@code interval} (between reads,
 * default 1s), {@code timeout} (per read, default 5s), {@code ipmitool} (the program, default
 * {@code ipmitool} on the PATH).
 */
public final class IpmiDcmiSensorProvider implements PowerSensorProvider {

    private static final Set<String> OPTIONS = Set.of("host", "userEnv", "passwordEnv", "interval", "timeout", "ipmitool");

    @Override
    public String id() {
        return "ipmi";
    }

    @Override
    public String description() {
        return "node power from the BMC's DCMI power reading via ipmitool (sampled, node scope, ~1 s resolution);"
                + " in-band, or host=<bmc>;userEnv=VAR;passwordEnv=VAR over lanplus; interval=1s";
    }

    @Override
    public PowerSensor open(Map<String, String> options) throws SensorUnavailableException {
        OptionLine line = new OptionLine("-prof ipmi", options);
        for (String key : options.keySet()) {
            if (!OPTIONS.contains(key)) {
                throw new UserError("-prof ipmi: unknown option '" + key + "'; it takes "
                        + String.join(", ", new TreeSet<>(OPTIONS)));
            }
        }
        List<String> command = new ArrayList<>(List.of(line.get("ipmitool", "ipmitool")));
        Map<String, String> env = Map.of();
        String host = line.get("host", null);
        String device = "bmc";
        String describe = "the local BMC (in-band)";
        if (host != null) {
            String user = secret(line, "userEnv");
            String password = secret(line, "passwordEnv");
            command.addAll(List.of("-I", "lanplus", "-H", host, "-U", user, "-E"));
            env = Map.of("IPMI_PASSWORD", password);
            device = host;
            describe = "BMC " + host + " over lanplus (user from $" + line.get("userEnv", null) + ", password from $"
                    + line.get("passwordEnv", null) + ")";
        } else if (line.get("userEnv", null) != null || line.get("passwordEnv", null) != null) {
            throw new UserError("-prof ipmi: userEnv= and passwordEnv= are for a remote BMC; add host=<bmc address>");
        }
        return IpmiDcmiSensor.open(command, env, device, line.duration("interval", Duration.ofSeconds(1)),
                line.duration("timeout", Duration.ofSeconds(5)), describe);
    }

    private static String secret(OptionLine line, String key) {
        String variable = line.get(key, null);
        if (variable == null) {
            throw new UserError("-prof ipmi: host= needs " + key + "=<environment variable>, the name of a variable"
                    + " that holds the BMC's " + (key.startsWith("user") ? "user" : "password"));
        }
        String value = System.getenv(variable);
        if (value == null || value.isEmpty()) {
            throw new UserError("-prof ipmi: " + key + "=" + variable + " names an environment variable that is not"
                    + " set; export it before the run");
        }
        return value;
    }
}
