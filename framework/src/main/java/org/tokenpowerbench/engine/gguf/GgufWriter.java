package org.tokenpowerbench.engine.gguf;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.UnaryOperator;

/**
 * Writes a GGUF version 3 file (little-endian): metadata key-value pairs, tensor infos, then tensor
 * data, each tensor aligned to {@link #alignment()} bytes and followed by zero padding up to the
 * alignment.
 *
 * <p>Metadata and tensors are declared first; {@link #write(Path)} then streams the file. Tensor
 * values are pulled from a {@link TensorValues} in chunks of {@value #CHUNK_ELEMENTS} elements and
 * encoded on the fly, by {@link #threads(int) several threads} at once, and written in order, so
 * memory use does not grow with the model size.
 *
 * <p>{@code general.alignment} is always written (as a uint32, first) and cannot be set with the
 * {@code put} methods. A writer is not thread-safe.
 *
 * <pre>{@code
 * new GgufWriter()
 *     .putString("general.architecture", "llama")
 *     .addTensor("output_norm.weight", GgmlType.F32, new long[] {64}, GgufWriter.constant(1f))
 *     .write(path);
 * }</pre>
 *
 * <p><b>Why one file of this size:</b> it writes one file format, whose header, metadata, tensor
 * table, alignment and data sections refer to each other's offsets; the per-type encoders live in
 * {@code GgmlCodec}.
 */
public final class GgufWriter {

    /** GGUF format version written. */
    public static final int VERSION = 3;

    /** Number of elements pulled from a {@link TensorValues} at a time (a multiple of every block size). */
    public static final int CHUNK_ELEMENTS = 1 << 16;

    /** Longest tensor name llama.cpp accepts (its {@code GGML_MAX_NAME} is 64 including the terminator). */
    public static final int MAX_TENSOR_NAME = 63;

    private static final int BUFFER_BYTES = 1 << 20;

    /**
     * Supplies the values of one tensor, in storage order (innermost dimension fastest).
     * Implementations must be deterministic (the same range always yields the same values) and
     * thread-safe.
     */
    @FunctionalInterface
    public interface TensorValues {
        /**
         * Fills {@code dst[0..count)} with elements {@code start .. start + count - 1} of the tensor.
         * The writer may call this from several threads at once, for different ranges.
         *
         * @param start index of the first element
         * @param dst   destination
         * @param count number of elements to produce
         */
        void fill(long start, float[] dst, int count);
    }

    private record Kv(String key, GgufValueType type, GgufValueType elementType, Object value) {
    }

    private record Tensor(String name, GgmlType type, long[] dims, long elements, TensorValues values) {
    }

    private final int alignment;
    private int threads = Runtime.getRuntime().availableProcessors();
    private final Map<String, Kv> kvs = new LinkedHashMap<>();
    private final List<Tensor> tensors = new ArrayList<>();
    private final Set<String> tensorNames = new HashSet<>();

    /** A writer with the default alignment of 32 bytes. */
    public GgufWriter() {
        this(GgufReader.DEFAULT_ALIGNMENT);
    }

    /**
     * @param alignment data alignment in bytes, a power of two and a multiple of 8
     * @throws IllegalArgumentException for any other alignment
     */
    public GgufWriter(int alignment) {
        if (alignment < 8 || Integer.bitCount(alignment) != 1) {
            throw new IllegalArgumentException("alignment must be a power of two >= 8, not " + alignment);
        }
        this.alignment = alignment;
        kvs.put("general.alignment", new Kv("general.alignment", GgufValueType.UINT32, null, (long) alignment));
    }

    /**
     * Sets how many threads produce and encode tensor data (default: the number of processors).
     * The file's bytes do not depend on it.
     *
     * @param threads at least 1
     * @return this writer
     */
    public GgufWriter threads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, not " + threads);
        }
        this.threads = threads;
        return this;
    }

    /** @return the data alignment in bytes */
    public int alignment() {
        return alignment;
    }

    private GgufWriter put(String key, GgufValueType type, GgufValueType elementType, Object value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value of " + key);
        if (key.isEmpty()) {
            throw new IllegalArgumentException("empty metadata key");
        }
        if (kvs.containsKey(key)) {
            throw new IllegalArgumentException("metadata key " + key + " is already set"
                    + (key.equals("general.alignment") ? " (choose the alignment in the constructor)" : ""));
        }
        kvs.put(key, new Kv(key, type, elementType, value));
        return this;
    }

    /**
     * @param key   metadata key
     * @param value a value in {@code [0, 2^32)}
     * @return this writer
     * @throws IllegalArgumentException if the key is already set or the value is out of range
     */
    public GgufWriter putUInt32(String key, long value) {
        if (value < 0 || value > 0xffff_ffffL) {
            throw new IllegalArgumentException(key + ": " + value + " is not a uint32");
        }
        return put(key, GgufValueType.UINT32, null, value);
    }

    /**
     * @param key   metadata key
     * @param value the value
     * @return this writer
     * @throws IllegalArgumentException if the key is already set
     */
    public GgufWriter putInt32(String key, int value) {
        return put(key, GgufValueType.INT32, null, value);
    }

    /**
     * @param key   metadata key
     * @param value the value
     * @return this writer
     * @throws IllegalArgumentException if the key is already set
     */
    public GgufWriter putFloat32(String key, float value) {
        return put(key, GgufValueType.FLOAT32, null, value);
    }

    /**
     * @param key   metadata key
     * @param value the value
     * @return this writer
     * @throws IllegalArgumentException if the key is already set
     */
    public GgufWriter putBool(String key, boolean value) {
        return put(key, GgufValueType.BOOL, null, value);
    }

    /**
     * @param key   metadata key
     * @param value the value, stored as UTF-8
     * @return this writer
     * @throws IllegalArgumentException if the key is already set
     */
    public GgufWriter putString(String key, String value) {
        return put(key, GgufValueType.STRING, null, value.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * @param key    metadata key
     * @param values the elements, stored as UTF-8 (copied)
     * @return this writer
     * @throws IllegalArgumentException if the key is already set
     */
    public GgufWriter putStringArray(String key, List<String> values) {
        byte[][] encoded = new byte[values.size()][];
        for (int i = 0; i < encoded.length; i++) {
            encoded[i] = values.get(i).getBytes(StandardCharsets.UTF_8);
        }
        return put(key, GgufValueType.ARRAY, GgufValueType.STRING, encoded);
    }

    /**
     * @param key    metadata key
     * @param values the elements (copied)
     * @return this writer
     * @throws IllegalArgumentException if the key is already set
     */
    public GgufWriter putFloat32Array(String key, float[] values) {
        return put(key, GgufValueType.ARRAY, GgufValueType.FLOAT32, values.clone());
    }

    /**
     * @param key    metadata key
     * @param values the elements (copied)
     * @return this writer
     * @throws IllegalArgumentException if the key is already set
     */
    public GgufWriter putInt32Array(String key, int[] values) {
        return put(key, GgufValueType.ARRAY, GgufValueType.INT32, values.clone());
    }

    /**
     * Declares a tensor. Its data is produced only when the file is written.
     *
     * @param name   unique name, at most {@value #MAX_TENSOR_NAME} UTF-8 bytes
     * @param type   a {@link GgmlType#isWritable() writable} type
     * @param dims   1 to 4 positive dimensions, innermost ({@code ne[0]}) first; {@code dims[0]}
     *               must be a multiple of the type's block size
     * @param values supplies the values
     * @return this writer
     * @throws IllegalArgumentException for a duplicate or overlong name, an unwritable type or bad dimensions
     */
    public GgufWriter addTensor(String name, GgmlType type, long[] dims, TensorValues values) {
        Objects.requireNonNull(values, "values");
        if (name.isEmpty() || name.getBytes(StandardCharsets.UTF_8).length > MAX_TENSOR_NAME) {
            throw new IllegalArgumentException("tensor name must have 1.." + MAX_TENSOR_NAME + " bytes: '" + name + "'");
        }
        if (!type.isWritable()) {
            throw new IllegalArgumentException("cannot write tensors of type " + type);
        }
        if (dims.length < 1 || dims.length > 4) {
            throw new IllegalArgumentException(name + ": 1 to 4 dimensions required, got " + dims.length);
        }
        long elements = 1;
        for (long d : dims) {
            if (d <= 0) {
                throw new IllegalArgumentException(name + ": dimensions must be positive");
            }
            elements = Math.multiplyExact(elements, d);
        }
        if (dims[0] % type.blockSize() != 0) {
            throw new IllegalArgumentException(name + ": innermost dimension " + dims[0]
                    + " is not a multiple of the " + type + " block size " + type.blockSize());
        }
        if (!tensorNames.add(name)) {
            throw new IllegalArgumentException("duplicate tensor " + name);
        }
        tensors.add(new Tensor(name, type, dims.clone(), elements, values));
        return this;
    }

    /**
     * Changes how a tensor already declared produces its values, keeping its name, type, shape and
     * place in the file. A tool that needs a variant of a model declared elsewhere (zeroed rows in
     * {@link SyntheticModel}'s output matrix, say) changes that one tensor instead of copying the
     * model's layout.
     *
     * @param name   a tensor added before
     * @param change turns the tensor's current values into the new ones
     * @return this writer
     * @throws IllegalArgumentException if no tensor has that name
     */
    public GgufWriter transformTensor(String name, UnaryOperator<TensorValues> change) {
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            if (t.name().equals(name)) {
                TensorValues values = Objects.requireNonNull(change.apply(t.values()), "new values of " + name);
                tensors.set(i, new Tensor(t.name(), t.type(), t.dims(), t.elements(), values));
                return this;
            }
        }
        throw new IllegalArgumentException("no tensor " + name + " to transform; add it first");
    }

    /**
     * @param value the value of every element
     * @return values that are all {@code value}
     */
    public static TensorValues constant(float value) {
        return (start, dst, count) -> java.util.Arrays.fill(dst, 0, count, value);
    }

    /**
     * Writes the file, replacing any existing file at {@code path}.
     *
     * @param path destination
     * @return the number of bytes written (the file size)
     * @throws IOException on an I/O error
     */
    public long write(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            long n = write(ch);
            ch.force(false);
            return n;
        }
    }

    /**
     * Writes the file to a channel, which is left open.
     *
     * @param channel destination, positioned where the file starts
     * @return the number of bytes written
     * @throws IOException on an I/O error
     */
    public long write(WritableByteChannel channel) throws IOException {
        Out out = new Out(channel);
        out.ensure(24);
        out.buf.putInt(GgufReader.MAGIC).putInt(VERSION).putLong(tensors.size()).putLong(kvs.size());
        for (Kv kv : kvs.values()) {
            out.string(kv.key.getBytes(StandardCharsets.UTF_8));
            out.u32(kv.type.id());
            writeValue(out, kv);
        }
        long offset = 0;
        for (Tensor t : tensors) {
            out.string(t.name.getBytes(StandardCharsets.UTF_8));
            out.u32(t.dims.length);
            for (long d : t.dims) {
                out.ensure(8);
                out.buf.putLong(d);
            }
            out.u32(t.type.id());
            out.ensure(8);
            out.buf.putLong(offset);
            offset = GgufReader.alignUp(offset + t.type.byteSize(t.elements), alignment);
        }
        out.pad(alignment);

        writeData(out);
        out.flush();
        return out.position();
    }

    /** One chunk of one tensor: the unit of work for encoding. */
    private record Chunk(Tensor tensor, long start, int count, boolean last) {
    }

    /**
     * Encodes the chunks of all tensors, in parallel when {@link #threads(int)} allows, and writes
     * them in file order. At most {@code 2 * threads} encoded chunks wait in memory.
     */
    private void writeData(Out out) throws IOException {
        int workers = threads;
        ExecutorService pool = workers == 1 ? null : Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "gguf-writer");
            t.setDaemon(true);
            return t;
        });
        ThreadLocal<float[]> scratch = ThreadLocal.withInitial(() -> new float[CHUNK_ELEMENTS]);
        ArrayDeque<ByteBuffer> free = new ArrayDeque<>();
        ArrayDeque<Future<ByteBuffer>> pending = new ArrayDeque<>();
        ArrayDeque<Chunk> pendingChunks = new ArrayDeque<>();
        int window = 2 * workers;
        try {
            Iterator<Chunk> chunks = chunks().iterator();
            long tensorStart = out.position();
            while (chunks.hasNext() || !pending.isEmpty()) {
                while (chunks.hasNext() && pending.size() < window) {
                    Chunk c = chunks.next();
                    ByteBuffer buf = free.isEmpty()
                            ? ByteBuffer.allocate((int) GgmlType.F32.byteSize(CHUNK_ELEMENTS)).order(ByteOrder.LITTLE_ENDIAN)
                            : free.pop();
                    pending.add(pool == null
                            ? CompletableFuture.completedFuture(encode(c, buf, scratch.get()))
                            : pool.submit(() -> encode(c, buf, scratch.get())));
                    pendingChunks.add(c);
                }
                Chunk c = pendingChunks.poll();
                ByteBuffer encoded = await(pending.poll());
                out.writeFully(encoded);
                encoded.clear();
                free.push(encoded);
                if (c.last()) {
                    long written = out.position() - tensorStart;
                    if (written != c.tensor().type().byteSize(c.tensor().elements())) {
                        throw new IllegalStateException("internal error: wrong byte count for " + c.tensor().name());
                    }
                    out.pad(alignment);
                    tensorStart = out.position();
                }
            }
        } finally {
            pending.forEach(f -> f.cancel(true));
            if (pool != null) {
                pool.shutdownNow();
            }
        }
    }

    private List<Chunk> chunks() {
        List<Chunk> list = new ArrayList<>();
        for (Tensor t : tensors) {
            for (long start = 0; start < t.elements(); start += CHUNK_ELEMENTS) {
                int count = (int) Math.min(CHUNK_ELEMENTS, t.elements() - start);
                list.add(new Chunk(t, start, count, start + count == t.elements()));
            }
        }
        return list;
    }

    private static ByteBuffer encode(Chunk c, ByteBuffer buf, float[] values) {
        buf.clear();
        c.tensor().values().fill(c.start(), values, c.count());
        GgmlCodec.encode(c.tensor().type(), values, c.count(), buf);
        buf.flip();
        return buf;
    }

    private static ByteBuffer await(Future<ByteBuffer> future) throws IOException {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while writing tensor data");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IOException("encoding tensor data failed", cause);
        }
    }

    private static void writeValue(Out out, Kv kv) throws IOException {
        switch (kv.type) {
            case UINT32 -> out.u32((int) (long) (Long) kv.value);
            case INT32 -> out.u32((Integer) kv.value);
            case FLOAT32 -> out.u32(Float.floatToRawIntBits((Float) kv.value));
            case BOOL -> {
                out.ensure(1);
                out.buf.put((byte) ((Boolean) kv.value ? 1 : 0));
            }
            case STRING -> out.string((byte[]) kv.value);
            case ARRAY -> {
                out.u32(kv.elementType.id());
                switch (kv.elementType) {
                    case STRING -> {
                        byte[][] items = (byte[][]) kv.value;
                        out.ensure(8);
                        out.buf.putLong(items.length);
                        for (byte[] s : items) {
                            out.string(s);
                        }
                    }
                    case FLOAT32 -> {
                        float[] items = (float[]) kv.value;
                        out.ensure(8);
                        out.buf.putLong(items.length);
                        for (float f : items) {
                            out.u32(Float.floatToRawIntBits(f));
                        }
                    }
                    case INT32 -> {
                        int[] items = (int[]) kv.value;
                        out.ensure(8);
                        out.buf.putLong(items.length);
                        for (int v : items) {
                            out.u32(v);
                        }
                    }
                    default -> throw new IllegalStateException("unsupported array type " + kv.elementType);
                }
            }
            default -> throw new IllegalStateException("unsupported type " + kv.type);
        }
    }

    /** A little-endian buffered channel writer that counts bytes. */
    private static final class Out {
        final ByteBuffer buf = ByteBuffer.allocate(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        private final WritableByteChannel channel;
        private long flushed;

        Out(WritableByteChannel channel) {
            this.channel = channel;
        }

        long position() {
            return flushed + buf.position();
        }

        void ensure(int bytes) throws IOException {
            if (buf.remaining() < bytes) {
                flush();
                if (buf.remaining() < bytes) {
                    throw new IllegalStateException("internal error: " + bytes + " bytes do not fit the buffer");
                }
            }
        }

        void flush() throws IOException {
            buf.flip();
            while (buf.hasRemaining()) {
                flushed += channel.write(buf);
            }
            buf.clear();
        }

        void writeFully(ByteBuffer data) throws IOException {
            if (data.remaining() <= buf.remaining()) {
                buf.put(data);
                return;
            }
            flush();
            while (data.hasRemaining()) {
                flushed += channel.write(data);
            }
        }

        void u32(int v) throws IOException {
            ensure(4);
            buf.putInt(v);
        }

        void string(byte[] utf8) throws IOException {
            ensure(8);
            buf.putLong(utf8.length);
            int off = 0;
            while (off < utf8.length) {
                if (!buf.hasRemaining()) {
                    flush();
                }
                int n = Math.min(buf.remaining(), utf8.length - off);
                buf.put(utf8, off, n);
                off += n;
            }
        }

        void pad(int alignment) throws IOException {
            int n = (int) (GgufReader.alignUp(position(), alignment) - position());
            ensure(n);
            for (int i = 0; i < n; i++) {
                buf.put((byte) 0);
            }
        }
    }
}
