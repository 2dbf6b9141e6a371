package org.tokenpowerbench.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The one reader of the run folder's {@code .jsonl} files: every line as a JSON tree, in the order
 * written. A missing file is no lines; a blank line, or a line cut short by a crash or a full disk,
 * is skipped, so the lines before it still count. The typed readers ({@link EnergyRow#read},
 * {@link FailureRecord#read}, the report's) pick their kind of line from these.
 */
public final class JsonLines {

    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonLines() {
    }

    /**
     * @throws UncheckedIOException when the file exists but cannot be read
     */
    public static List<JsonNode> read(Path file) {
        List<JsonNode> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        for (String text : lines) {
            if (text.isBlank()) {
                continue;
            }
            try {
                out.add(JSON.readTree(text));
            } catch (IOException e) {
                // a line cut short: the lines before it still count
            }
        }
        return out;
    }
}
