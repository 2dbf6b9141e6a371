package org.tokenpowerbench.engine.launch;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A benchmark JVM in miniature for {@link NoOrphanTest}: launches a {@link FakeEngine} that spawns
 * a child, prints {@code READY <engine pid> <child pid>}, and waits to be interrupted.
 *
 * <p>Arguments: the log file.
 */
public final class HoldsAnEngine {

    private HoldsAnEngine() {
    }

    public static void main(String[] args) throws Exception {
        Path log = Path.of(args[0]);
        LaunchedEngines engines = new LaunchedEngines((v, a, port) -> LaunchedEnginesTest.fake(port, "A", "spawnChild"),
                new LaunchedEngines.Timing(Duration.ofSeconds(60), Duration.ofSeconds(10), Duration.ofSeconds(5)),
                System.out, e -> { });
        LaunchedEngines.Served s = engines.serve("launch:fake", new LaunchAxes("m", "f16", 1, 1, 1, 1, 1, 1), log,
                StartupMeter.NONE);
        String child = Files.readAllLines(log).stream().filter(l -> l.startsWith("CHILD ")).findFirst().orElseThrow()
                .substring(6);
        System.out.println("READY " + s.engine().pid() + " " + child);
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
