package org.tokenpowerbench.report.html;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A run folder's CSV as the page reads it back, row by row, without holding the file: the
 * header's column names, then each row's fields. Quoting is what {@code RunDirectory.csv} writes
 * (a field with a comma or a quote is quoted, quotes doubled; no field holds a line break).
 *
 * <p>A row with fewer fields than the header is left out only where a crash can have cut it: the
 * file's last line, when the file does not end with a line break ({@link #lastLineCut} tells the
 * report to say so). Any other short row is refused naming the file and line: it was once dropped
 * without a word, so an edited or damaged file lost requests from the page and its figures. An
 * empty line holds no row and is passed over.
 */
final class CsvFile {

    /** One row: its fields, looked up by the header's names. */
    static final class Row {
        private final Map<String, Integer> columns;
        private final Path file;
        private String[] fields;
        private long line;

        private Row(Map<String, Integer> columns, Path file) {
            this.columns = columns;
            this.file = file;
        }

        /** The field under {@code column}; "" when the file has no such column. */
        String text(String column) {
            Integer i = columns.get(column);
            return i == null ? "" : fields[i];
        }

        /**
         * The field as a number; NaN when it is empty or absent.
         *
         * @throws org.tokenpowerbench.UserError naming the file, line and column when the field is text
         *         (a file edited by hand or damaged: once an exit 70 with a stack trace)
         */
        double number(String column) {
            String s = text(column);
            try {
                return s.isEmpty() ? Double.NaN : Double.parseDouble(s);
            } catch (NumberFormatException e) {
                throw new org.tokenpowerbench.UserError("report: " + file + " line " + line + ", column " + column + ": '"
                        + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "' is not a number; the file was edited or"
                        + " damaged: give the run folder as the run wrote it");
            }
        }

        boolean has(String column) {
            return columns.containsKey(column);
        }

        /** The header's names, in order. */
        List<String> header() {
            String[] names = new String[columns.size()];
            columns.forEach((k, v) -> names[v] = k);
            return List.of(names);
        }
    }

    private CsvFile() {
    }

    /**
     * Hands every complete row of {@code file} to {@code each} (the same {@link Row} object,
     * refilled); nothing when the file does not exist or is no regular file. A last line cut short
     * (no line break after it) is left out.
     *
     * @throws UncheckedIOException when it exists but cannot be read
     * @throws org.tokenpowerbench.UserError naming the file and line of a row with fewer fields than
     *         the header anywhere else
     */
    static void forEach(Path file, Consumer<Row> each) {
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            return; // a device or a pipe in its place (a test's /dev/full): no rows, and no endless read
        }
        boolean endsWithBreak = endsWithLineBreak(file);
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String header = in.readLine();
            if (header == null) {
                return;
            }
            Map<String, Integer> columns = new HashMap<>();
            List<String> names = split(header);
            for (int i = 0; i < names.size(); i++) {
                columns.putIfAbsent(names.get(i), i);
            }
            Row row = new Row(columns, file);
            long number = 1;
            String line = in.readLine();
            while (line != null) {
                String next = in.readLine();
                row.line = ++number;
                if (!line.isEmpty()) {
                    String[] fields = line.indexOf('"') < 0 ? plain(line) : split(line).toArray(new String[0]);
                    if (fields.length >= names.size()) {
                        row.fields = fields;
                        each.accept(row);
                    } else if (next != null || endsWithBreak) {
                        throw new org.tokenpowerbench.UserError("report: " + file + " line " + number + " has "
                                + fields.length + " of the header's " + names.size() + " columns; the file was edited"
                                + " or damaged (only a last line that a crash cut short is left out): give the run"
                                + " folder as the run wrote it");
                    } // else: the last line, cut short by a crash while it was written
                }
                line = next;
            }
        } catch (NoSuchFileException e) {
            // a run without this file (no power profiler, say): no rows
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Whether the file's last byte is a line break (an empty or missing file: true, nothing is cut). */
    private static boolean endsWithLineBreak(Path file) {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
            long size = ch.size();
            if (size == 0) {
                return true;
            }
            java.nio.ByteBuffer last = java.nio.ByteBuffer.allocate(1);
            ch.read(last, size - 1);
            return last.get(0) == '\n';
        } catch (IOException e) {
            return true; // the read that follows says what is wrong
        }
    }

    /**
     * Whether the file's last line is a row a crash cut short: no line break after it, and fewer
     * fields than the header. Reads the header and the file's last 64 KiB only.
     */
    static boolean lastLineCut(Path file) {
        if (!Files.isRegularFile(file) || endsWithLineBreak(file)) {
            return false;
        }
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             java.io.RandomAccessFile f = new java.io.RandomAccessFile(file.toFile(), "r")) {
            String header = in.readLine();
            long from = Math.max(0, f.length() - 64 * 1024);
            byte[] tail = new byte[(int) (f.length() - from)];
            f.seek(from);
            f.readFully(tail);
            String text = new String(tail, StandardCharsets.UTF_8);
            int lastBreak = text.lastIndexOf('\n');
            if (header == null || lastBreak < 0) {
                return false; // one line only (the header), or a last line longer than the tail: not taken for a row
            }
            return split(text.substring(lastBreak + 1)).size() < split(header).size();
        } catch (IOException e) {
            return false;
        }
    }

    /** A line without quotes: its fields between commas (the common case, and the one big files are made of). */
    static String[] plain(String line) {
        int n = 1;
        for (int i = line.indexOf(','); i >= 0; i = line.indexOf(',', i + 1)) {
            n++;
        }
        String[] out = new String[n];
        int from = 0;
        for (int f = 0; f < n - 1; f++) {
            int comma = line.indexOf(',', from);
            out[f] = line.substring(from, comma);
            from = comma + 1;
        }
        out[n - 1] = line.substring(from);
        return out;
    }

    /**
     * What {@code of} makes of the file's first complete row; null when it has none (or does not
     * exist). Reads no further.
     */
    static <T> T first(Path file, java.util.function.Function<Row, T> of) {
        Object[] found = new Object[1];
        try {
            forEach(file, r -> {
                found[0] = of.apply(r);
                throw new FirstRowRead();
            });
        } catch (FirstRowRead e) {
            // stopped after the first row
        }
        @SuppressWarnings("unchecked")
        T t = (T) found[0];
        return t;
    }

    /** Ends {@link #forEach} after the first row, from inside its callback. */
    private static final class FirstRowRead extends RuntimeException {
        FirstRowRead() {
            super(null, null, false, false);
        }
    }

    static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                out.add(field.toString());
                field.setLength(0);
            } else {
                field.append(c);
            }
        }
        out.add(field.toString());
        return out;
    }
}
