package org.tokenpowerbench.engine.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The host's JVM arguments for a fork, read back in the fork as the same record. */
class LaunchedEndpointTest {

    @Test
    void whatTheHostWritesTheForkReadsBack() {
        LaunchedEndpoint sent = new LaunchedEndpoint("http://127.0.0.1:41234", "llama", Path.of("/tmp/tok.json"), false,
                12.25, Map.of("nvml", 1500.5, "rapl.estimated", 80.0), 43210);
        List<String> args = sent.jvmArgs();
        try {
            for (String a : args) {
                String kv = a.substring(2);
                int eq = kv.indexOf('=');
                System.setProperty(kv.substring(0, eq), kv.substring(eq + 1));
            }
            assertEquals(sent, LaunchedEndpoint.fromSystemProperties());
        } finally {
            for (String a : args) {
                System.clearProperty(a.substring(2, a.indexOf('=')));
            }
        }
        assertNull(LaunchedEndpoint.fromSystemProperties(), "a fork the host launched nothing for");
    }

    @Test
    void withoutAPidTheForkReadsMinusOne() {
        LaunchedEndpoint sent = new LaunchedEndpoint("http://127.0.0.1:1", "m", null, true, 0, Map.of());
        assertEquals(-1, sent.pid());
        assertEquals(false, sent.jvmArgs().stream().anyMatch(a -> a.startsWith("-D" + LaunchedEndpoint.PID)));
    }
}
