package org.tokenpowerbench.engine.gguf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/** Helpers shared by the GGUF tests. */
final class GgufTestSupport {

    static final String FIXTURE_NAME = "llama-2-tiny-random.gguf";

    private GgufTestSupport() {
    }

    /**
     * The shared third-party fixture, found from the project root ({@code tpb.projectRoot}, set by
     * surefire) or by walking up from the working directory.
     */
    static Optional<Path> fixture() {
        String root = System.getProperty("tpb.projectRoot");
        if (root != null) {
            Path p = Path.of(root).resolve("../shared/models").resolve(FIXTURE_NAME).normalize();
            if (Files.isRegularFile(p)) {
                return Optional.of(p);
            }
        }
        Path dir = Path.of("").toAbsolutePath();
        for (int i = 0; i < 4 && dir != null; i++, dir = dir.getParent()) {
            Path p = dir.resolve("shared/models").resolve(FIXTURE_NAME);
            if (Files.isRegularFile(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** Reads the raw data bytes of one tensor. */
    static ByteBuffer tensorBytes(Path file, GgufFile header, GgufTensorInfo tensor) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate((int) tensor.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long pos = header.dataOffset() + tensor.offset();
            while (buf.hasRemaining()) {
                int n = ch.read(buf, pos + buf.position());
                if (n < 0) {
                    throw new IOException("file ends inside tensor " + tensor.name());
                }
            }
        }
        return buf.flip();
    }

    /** Decodes one tensor of a writable type. */
    static float[] tensorValues(Path file, GgufFile header, String name) throws IOException {
        GgufTensorInfo t = header.tensor(name).orElseThrow();
        return GgmlCodec.decode(t.type().orElseThrow(), tensorBytes(file, header, t), (int) t.elementCount());
    }

    static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }
}
