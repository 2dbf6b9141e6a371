package org.tokenpowerbench.report.html;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's {@code chromium}, run headless on a page from disk with no network, the way a reader
 * opens {@code report.html}. Where it is missing a test skips locally, but fails under
 * {@code CI=true}: CI installs it ({@code .ci/run}), so a skip there would hide a broken page.
 */
public final class HeadlessChromium {

    /** What the browser made of the page: the DOM after its scripts ran, and its log. */
    public record Page(String dom, String log) {
    }

    private HeadlessChromium() {
    }

    public static Path binary() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, "chromium");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        if ("true".equals(System.getenv("CI"))) {
            fail("chromium is not on the PATH under CI=true: .ci/run installs Debian's chromium before ./mvnw");
        }
        Assumptions.abort("chromium is not on the PATH: install Debian's chromium (apt-get install chromium) to"
                + " open report.html in a real browser; CI does");
        return null;
    }

    public static Page dumpDom(Path html, Path work) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(work, "chromium-profile");
        List<String> cmd = new ArrayList<>(common(profile));
        cmd.add("--virtual-time-budget=10000");
        cmd.add("--dump-dom");
        cmd.add(html.toUri().toString());
        return run(cmd, work);
    }

    public static void screenshot(Path html, Path png, int width, int height, Path work) throws IOException, InterruptedException {
        screenshot(html, "", png, width, height, work);
    }

    /** A screenshot of the page scrolled to {@code fragment} ({@code #id}, or "" for the top). */
    public static void screenshot(Path html, String fragment, Path png, int width, int height, Path work)
            throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(work, "chromium-profile");
        List<String> cmd = new ArrayList<>(common(profile));
        cmd.add("--virtual-time-budget=10000");
        cmd.add("--hide-scrollbars");
        cmd.add("--window-size=" + width + "," + height);
        cmd.add("--screenshot=" + png.toAbsolutePath());
        cmd.add(html.toUri() + fragment);
        run(cmd, work);
        assertTrue(Files.size(png) > 0, "chromium wrote no screenshot");
    }

    private static List<String> common(Path profile) {
        return List.of(binary().toString(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0");
    }

    private static Page run(List<String> cmd, Path work) throws IOException, InterruptedException {
        Path err = work.resolve("chromium-" + System.nanoTime() + ".log");
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(3, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail("chromium did not finish in 3 minutes: " + cmd);
        }
        return new Page(new String(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }
}
