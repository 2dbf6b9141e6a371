package org.tokenpowerbench.engine;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.tokenpowerbench.client.TokenCountSource;
import org.tokenpowerbench.client.Tokenizer;

/**
 * The served model's tokenizer from its Hugging Face {@code tokenizer.json}, run in this JVM by
 * the Rust {@code tokenizers} library through DJL's binding ({@code ai.djl.huggingface:tokenizers}).
 * A user names the file for a server that sends no {@code usage} and has no {@code /tokenize}:
 * {@code -p 'engine=http://host:8000;tokenizer=/path/to/tokenizer.json'} (quoted: a shell ends a
 * command at {@code ;}).
 *
 * <p>The native library comes inside the DJL jar from Maven Central (linux-x86_64,
 * linux-aarch64, osx-aarch64, win-x86_64, CPU builds); DJL copies it to its cache folder
 * ({@code ~/.djl.ai}, or {@code DJL_CACHE_DIR}) on first use. On a machine with CUDA, DJL would
 * rather download a CUDA build from its own site, and it calls home on EC2: DJL's offline mode
 * (set here unless the user set it) keeps it to the bundled CPU build and off the network.
 *
 * <p>Never truncates or pads, whatever the file says: a count must cover the whole text.
 */
public final class HuggingFaceTokenizerFile implements Tokenizer, AutoCloseable {

    /** Text whose encodings with and without special tokens tell how many the tokenizer adds. */
    private static final String PROBE = "hello world";

    private final HuggingFaceTokenizer tokenizer;
    private final Path file;
    private final int special;

    private HuggingFaceTokenizerFile(HuggingFaceTokenizer tokenizer, Path file, int special) {
        this.tokenizer = tokenizer;
        this.file = file;
        this.special = special;
    }

    /**
     * Loads {@code path}: a {@code tokenizer.json}, or a folder that holds one.
     *
     * @throws EngineException with one line naming the file and what to do
     */
    public static HuggingFaceTokenizerFile load(Path path) {
        Path file = path.toAbsolutePath().normalize();
        if (Files.isDirectory(file)) {
            file = file.resolve("tokenizer.json");
        }
        if (!Files.isRegularFile(file)) {
            throw new EngineException("tokenizer file '" + file + "' does not exist: give the served model's Hugging Face "
                    + "tokenizer.json, e.g. -p 'engine=http://host:8000;tokenizer=/path/to/tokenizer.json'");
        }
        if (!Files.isReadable(file)) {
            throw new EngineException("tokenizer file '" + file + "' cannot be read: check its permissions");
        }
        offlineUnlessTold();
        quietLoggingUnlessConfigured();
        HuggingFaceTokenizer t;
        try {
            t = HuggingFaceTokenizer.newInstance(file, Map.of(
                    "addSpecialTokens", "false", "truncation", "false", "padding", "false"));
        } catch (UnsatisfiedLinkError | ai.djl.engine.EngineException e) {
            throw new EngineException("cannot load the Hugging Face tokenizers library (DJL) for '" + file + "': "
                    + firstLine(e) + " (it is bundled for linux-x86_64, linux-aarch64, osx-aarch64 and win-x86_64)");
        } catch (IOException | RuntimeException e) {
            throw new EngineException("tokenizer file '" + file + "' is not a Hugging Face tokenizer.json (" + firstLine(e)
                    + "): give the tokenizer.json of the served model, as its Hugging Face repository has it");
        }
        try {
            int without = t.encode(PROBE, false, false).getIds().length;
            int with = t.encode(PROBE, true, false).getIds().length;
            if (without == 0) {
                throw new EngineException("tokenizer file '" + file + "' encodes '" + PROBE + "' as no tokens at all:"
                        + " give the tokenizer.json of the served model");
            }
            return new HuggingFaceTokenizerFile(t, file, Math.max(0, with - without));
        } catch (RuntimeException e) {
            t.close();
            if (e instanceof EngineException ee) {
                throw ee;
            }
            throw new EngineException("tokenizer file '" + file + "' loads but cannot encode text (" + firstLine(e)
                    + "): give the tokenizer.json of the served model");
        }
    }

    /**
     * DJL's offline mode, unless the user chose: no CUDA build downloaded for a CPU job, no
     * telemetry call. An environment variable {@code DJL_OFFLINE} still wins, as in DJL.
     */
    private static void offlineUnlessTold() {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
    }

    /**
     * DJL logs through SLF4J; with no SLF4J provider on the class path SLF4J prints a three-line
     * warning to standard error in every fork. Then, and only then, SLF4J's own no-operation
     * provider (inside slf4j-api) is named, unless the user named one; DJL's log lines are lost,
     * its errors still reach us as exceptions.
     */
    private static void quietLoggingUnlessConfigured() {
        ClassLoader loader = HuggingFaceTokenizerFile.class.getClassLoader();
        if (System.getProperty("slf4j.provider") == null
                && loader.getResource("META-INF/services/org.slf4j.spi.SLF4JServiceProvider") == null
                && loader.getResource("org/slf4j/helpers/NOP_FallbackServiceProvider.class") != null) {
            System.setProperty("slf4j.provider", "org.slf4j.helpers.NOP_FallbackServiceProvider");
            if (System.getProperty("slf4j.internal.verbosity") == null) {
                System.setProperty("slf4j.internal.verbosity", "WARN"); // no line about the provider named here
            }
        }
    }

    private static String firstLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    @Override
    public int[] encode(String text) {
        if (text.isEmpty()) {
            return new int[0];
        }
        long[] ids = tokenizer.encode(text, false, false).getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = (int) ids[i];
        }
        return out;
    }

    /** Measured from the file: tokens of a sample text with special tokens minus without. */
    @Override
    public int specialTokensAdded() {
        return special;
    }

    @Override
    public TokenCountSource countSource() {
        return TokenCountSource.TOKENIZER_JSON;
    }

    @Override
    public String description() {
        return "tokenizer.json " + file;
    }

    /** The file it was loaded from, absolute. */
    public Path file() {
        return file;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
