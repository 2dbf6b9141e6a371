package org.tokenpowerbench.report.html;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.tokenpowerbench.UserError;

/**
 * What the report checks of {@code iterations.jsonl} before it reads it for a page. The readers
 * skip a line cut short by a crash, so that the waves before it still count; this says how many
 * were skipped, where before the page said nothing. And a line written twice, byte for byte, is
 * no second wave (two waves never measure the same energies to the last digit): a file joined from
 * copies once made an interval of 18,000 "waves" forty times too narrow, so such a file is refused.
 */
final class IterationLines {

    private IterationLines() {
    }

    /**
     * @return how many non-blank lines are not a whole JSON object (cut short, or damaged)
     * @throws UserError when a line appears twice
     */
    static int check(Path file) {
        Set<Long> seen = new HashSet<>();
        int cut = 0;
        long number = 0;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                number++;
                String t = line.strip();
                if (t.isEmpty()) {
                    continue;
                }
                if (!t.startsWith("{") || !t.endsWith("}")) {
                    cut++;
                    continue;
                }
                if (!seen.add(hash(t))) {
                    throw new UserError("report: " + file + " line " + number + " repeats an earlier line byte for byte;"
                            + " two waves never measure the same, so the file was joined from copies or edited: give the"
                            + " run folder as the run wrote it");
                }
            }
        } catch (NoSuchFileException e) {
            return 0;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return cut;
    }

    /** 64 bits of the line (two independent 32-bit hashes): a false match is one in 2^64. */
    private static long hash(String s) {
        int h = 0x811c9dc5;
        for (int i = 0; i < s.length(); i++) {
            h = (h ^ s.charAt(i)) * 0x01000193;
        }
        return ((long) s.hashCode() << 32) | (h & 0xffffffffL);
    }
}
