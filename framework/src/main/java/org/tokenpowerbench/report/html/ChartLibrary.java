package org.tokenpowerbench.report.html;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/**
 * Apache ECharts, read from its WebJar ({@code org.webjars.npm:echarts}, Apache-2.0) on the class
 * path, so the page inlines a well-kept chart library instead of drawing by hand and opens from
 * disk with no network. The version is the jar's own ({@code pom.properties}), so a version bump
 * in the pom is the only change needed.
 */
public final class ChartLibrary {

    private static final String POM = "META-INF/maven/org.webjars.npm/echarts/pom.properties";

    private ChartLibrary() {
    }

    /** The library's version, e.g. {@code 5.3.1}. */
    public static String version() {
        try (InputStream in = resource(POM)) {
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + POM + ": " + e.getMessage(), e);
        }
    }

    /** The minified bundle's source text. */
    public static String script() {
        String path = "META-INF/resources/webjars/echarts/" + version() + "/dist/echarts.min.js";
        try (InputStream in = resource(path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    private static InputStream resource(String path) {
        InputStream in = ChartLibrary.class.getClassLoader().getResourceAsStream(path);
        if (in == null) {
            throw new IllegalStateException(path + " is not on the class path: the framework depends on"
                    + " org.webjars.npm:echarts, and a shaded jar must keep that file");
        }
        return in;
    }
}
