package org.tokenpowerbench.engine.gguf;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the header of a GGUF file (versions 2 and 3): metadata key-value pairs and tensor infos.
 * Tensor data is not read. All numbers are little-endian.
 *
 * <p>A malformed file raises {@link IOException} with the byte offset of the problem.
 */
public final class GgufReader {

    /** The four bytes every GGUF file starts with: {@code "GGUF"}. */
    public static final int MAGIC = 0x46554747; // "GGUF" read as a little-endian uint32

    /** The default data alignment when {@code general.alignment} is absent. */
    public static final int DEFAULT_ALIGNMENT = 32;

    /** No string in a sane file comes near this; it protects against reading garbage lengths. */
    private static final long MAX_STRING_BYTES = 1L << 26;

    private GgufReader() {
    }

    /**
     * Reads header, all metadata (arrays included) and tensor infos.
     *
     * @param path a GGUF file
     * @return its header
     * @throws IOException if the file cannot be read or is not a valid GGUF v2/v3 file
     */
    public static GgufFile read(Path path) throws IOException {
        return read(path, true);
    }

    /**
     * Reads header, metadata and tensor infos.
     *
     * @param path       a GGUF file
     * @param loadArrays when false, array values are skipped: their {@link GgufValue#value()} is
     *                   null, but type and length are kept (useful for a quick look at large vocabularies)
     * @return its header
     * @throws IOException if the file cannot be read or is not a valid GGUF v2/v3 file
     */
    public static GgufFile read(Path path, boolean loadArrays) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            return read(in, loadArrays, path.toString());
        }
    }

    /**
     * Reads a GGUF header from a stream positioned at the start of the file. The stream is read
     * ahead through a buffer, so its position afterwards is unspecified; it is not closed.
     *
     * @param in         the stream; it is buffered internally
     * @param loadArrays see {@link #read(Path, boolean)}
     * @param source     a name for error messages
     * @return the header
     * @throws IOException if the stream cannot be read or does not hold a valid GGUF v2/v3 header
     */
    public static GgufFile read(InputStream in, boolean loadArrays, String source) throws IOException {
        Input r = new Input(new BufferedInputStream(in, 1 << 16), source);
        int magic = r.i32();
        if (magic != MAGIC) {
            throw new IOException(source + ": not a GGUF file (magic 0x" + Integer.toHexString(magic) + ")");
        }
        int version = r.i32();
        if (version != 2 && version != 3) {
            throw new IOException(source + ": unsupported GGUF version " + version + " (supported: 2, 3)");
        }
        long tensorCount = r.count("tensor count");
        long kvCount = r.count("metadata count");

        Map<String, GgufValue> metadata = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            long at = r.position;
            String key = r.string();
            GgufValueType type = r.valueType();
            GgufValue value;
            if (type == GgufValueType.ARRAY) {
                GgufValueType elementType = r.valueType();
                long n = r.count("array length of " + key);
                List<Object> elements = null;
                if (loadArrays) {
                    if (n > Integer.MAX_VALUE - 8) {
                        throw r.error("array " + key + " too long: " + n);
                    }
                    elements = new ArrayList<>((int) Math.min(n, 1 << 20));
                    for (long j = 0; j < n; j++) {
                        elements.add(r.scalar(elementType));
                    }
                } else {
                    for (long j = 0; j < n; j++) {
                        r.skipValue(elementType);
                    }
                }
                value = new GgufValue(type, elementType, n,
                        elements == null ? null : Collections.unmodifiableList(elements));
            } else {
                value = new GgufValue(type, null, -1, r.scalar(type));
            }
            if (metadata.put(key, value) != null) {
                throw new IOException(source + ": duplicate metadata key " + key + " at offset " + at);
            }
        }

        int alignment = DEFAULT_ALIGNMENT;
        GgufValue a = metadata.get("general.alignment");
        if (a != null) {
            if (!a.type().isInteger() || a.asLong() <= 0 || Long.bitCount(a.asLong()) != 1) {
                throw new IOException(source + ": invalid general.alignment " + a.value());
            }
            alignment = (int) a.asLong();
        }

        List<GgufTensorInfo> tensors = new ArrayList<>((int) Math.min(tensorCount, 1 << 16));
        for (long i = 0; i < tensorCount; i++) {
            String name = r.string();
            int nDims = r.i32();
            if (nDims < 1 || nDims > 4) {
                throw r.error("tensor " + name + " has " + nDims + " dimensions");
            }
            long[] dims = new long[nDims];
            for (int d = 0; d < nDims; d++) {
                dims[d] = r.i64();
                if (dims[d] < 0) {
                    throw r.error("tensor " + name + " has a negative dimension");
                }
            }
            int typeId = r.i32();
            long offset = r.i64();
            if (offset < 0 || offset % alignment != 0) {
                throw r.error("tensor " + name + " offset " + offset + " is not aligned to " + alignment);
            }
            tensors.add(new GgufTensorInfo(name, dims, typeId, offset));
        }
        long dataOffset = alignUp(r.position, alignment);
        return new GgufFile(version, metadata, tensors, alignment, dataOffset);
    }

    /**
     * Rounds {@code value} up to a multiple of {@code alignment}.
     *
     * @param value     a non-negative offset
     * @param alignment a power of two
     * @return the smallest multiple of {@code alignment} not below {@code value}
     */
    public static long alignUp(long value, long alignment) {
        return (value + alignment - 1) / alignment * alignment;
    }

    /** Little-endian reading with a position counter. */
    private static final class Input {
        private final InputStream in;
        private final String source;
        private final byte[] scratch = new byte[8];
        long position;

        Input(InputStream in, String source) {
            this.in = in;
            this.source = source;
        }

        IOException error(String message) {
            return new IOException(source + ": " + message + " (near offset " + position + ")");
        }

        private void fully(byte[] b, int len) throws IOException {
            int off = 0;
            while (off < len) {
                int n = in.read(b, off, len - off);
                if (n < 0) {
                    throw new EOFException(source + ": unexpected end of file at offset " + (position + off));
                }
                off += n;
            }
            position += len;
        }

        int u8() throws IOException {
            fully(scratch, 1);
            return scratch[0] & 0xff;
        }

        int i16() throws IOException {
            fully(scratch, 2);
            return (short) ((scratch[0] & 0xff) | (scratch[1] & 0xff) << 8);
        }

        int i32() throws IOException {
            fully(scratch, 4);
            return (scratch[0] & 0xff) | (scratch[1] & 0xff) << 8 | (scratch[2] & 0xff) << 16 | (scratch[3] & 0xff) << 24;
        }

        long i64() throws IOException {
            long lo = i32() & 0xffffffffL;
            long hi = i32() & 0xffffffffL;
            return lo | hi << 32;
        }

        long count(String what) throws IOException {
            long n = i64();
            if (n < 0) {
                throw error(what + " is negative: " + n);
            }
            return n;
        }

        GgufValueType valueType() throws IOException {
            int id = i32();
            try {
                return GgufValueType.byId(id);
            } catch (IllegalArgumentException e) {
                throw error(e.getMessage());
            }
        }

        String string() throws IOException {
            long len = i64();
            if (len < 0 || len > MAX_STRING_BYTES) {
                throw error("implausible string length " + len);
            }
            byte[] b = new byte[(int) len];
            fully(b, b.length);
            return new String(b, StandardCharsets.UTF_8);
        }

        Object scalar(GgufValueType type) throws IOException {
            return switch (type) {
                case UINT8 -> (long) u8();
                case INT8 -> (long) (byte) u8();
                case UINT16 -> (long) (i16() & 0xffff);
                case INT16 -> (long) i16();
                case UINT32 -> i32() & 0xffffffffL;
                case INT32 -> (long) i32();
                case UINT64, INT64 -> i64();
                case FLOAT32 -> Float.intBitsToFloat(i32());
                case FLOAT64 -> Double.longBitsToDouble(i64());
                case BOOL -> {
                    int b = u8();
                    if (b > 1) {
                        throw error("invalid bool byte " + b);
                    }
                    yield b == 1;
                }
                case STRING -> string();
                case ARRAY -> throw error("nested arrays are not supported");
            };
        }

        void skipValue(GgufValueType type) throws IOException {
            if (type == GgufValueType.STRING) {
                long len = i64();
                if (len < 0 || len > MAX_STRING_BYTES) {
                    throw error("implausible string length " + len);
                }
                skip(len);
            } else if (type == GgufValueType.ARRAY) {
                throw error("nested arrays are not supported");
            } else {
                skip(type.fixedSize());
            }
        }

        private void skip(long n) throws IOException {
            long left = n;
            while (left > 0) {
                long s = in.skip(left);
                if (s <= 0) {
                    if (in.read() < 0) {
                        throw new EOFException(source + ": unexpected end of file at offset " + (position + n - left));
                    }
                    s = 1;
                }
                left -= s;
            }
            position += n;
        }
    }
}
