package org.tokenpowerbench.engine.launch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.tokenpowerbench.UserError;
import org.tokenpowerbench.engine.EngineException;
import org.tokenpowerbench.engine.gguf.GgufFileType;
import org.tokenpowerbench.engine.gguf.GgufQuantization;
import org.tokenpowerbench.engine.gguf.GgufReader;
import org.tokenpowerbench.engine.gguf.ModelShape;
import org.tokenpowerbench.engine.gguf.SyntheticModel;
import org.tokenpowerbench.engine.gguf.SyntheticModelCache;

/**
 * What a managed engine loads for a trial's {@code model} value: the value itself (a model id or
 * folder the engine knows), a GGUF file, or, for {@code synthetic:<shape>}, files we write: a GGUF
 * in the trial's quantization for llama.cpp, a Hugging Face folder for engines that fill the real
 * architecture with random weights. Checks write nothing; the trial's command writes what it needs
 * once per machine under the synthetic model cache.
 *
 * @param cacheRoot where synthetic models are kept ({@link SyntheticModelCache#directory()} unless a test chooses)
 */
record LaunchModel(Path cacheRoot) {

    /** The weights' seed of every synthetic model a managed engine loads, as the embedded engine's. */
    static final long SEED = 42L;

    static LaunchModel inUserCache() {
        return new LaunchModel(SyntheticModelCache.directory());
    }

    static boolean synthetic(LaunchAxes axes) {
        return SyntheticModel.isSpec(axes.model().trim());
    }

    /** The shape a {@code synthetic:} value names. */
    static ModelShape shape(LaunchValue value, LaunchAxes axes) {
        try {
            return SyntheticModel.parseSpec(axes.model().trim());
        } catch (UserError e) {
            throw new EngineException("engine '" + value.text() + "': " + e.getMessage());
        }
    }

    /**
     * For llama.cpp: a synthetic shape in a quantization our GGUF writer has, or a GGUF file whose own
     * type is the trial's quantization (llama-server loads the file as it is, so any other value
     * would be a label on the same weights).
     */
    static void checkGguf(LaunchValue value, LaunchAxes axes) {
        if (synthetic(axes)) {
            shape(value, axes);
            try {
                GgufQuantization.parse(axes.quantization());
            } catch (UserError e) {
                throw new EngineException("engine '" + value.text() + "': quantization=" + axes.quantization()
                        + " is not one our GGUF writer makes for " + axes.model() + "; use f32, f16, q8_0 or q4_0");
            }
            return;
        }
        Path file = ggufPath(value, axes);
        OptionalLong type;
        try {
            type = GgufReader.read(file, false).fileType();
        } catch (IOException | RuntimeException e) {
            throw new EngineException("engine '" + value.text() + "': model " + axes.model() + " is not a readable GGUF file ("
                    + e.getMessage() + "); llama-server loads .gguf files: give one, or synthetic:<shape>");
        }
        if (type.isPresent()) {
            String own = GgufFileType.name(type.getAsLong());
            if (!own.equalsIgnoreCase(axes.quantization().trim())) {
                throw new EngineException("engine '" + value.text() + "': model " + axes.model() + " is " + own
                        + ", so quantization=" + axes.quantization() + " would only be a label; give -p quantization="
                        + own + ", or a GGUF file of that type (llama-server loads the file as it is)");
            }
        }
    }

    private static Path ggufPath(LaunchValue value, LaunchAxes axes) {
        Path file;
        try {
            file = Path.of(axes.model().trim());
        } catch (InvalidPathException e) {
            file = null;
        }
        if (file == null || !Files.isRegularFile(file)) {
            throw new EngineException("engine '" + value.text() + "': model file '" + axes.model() + "' does not exist;"
                    + " llama-server loads a .gguf file: give its path, or synthetic:<shape> (shapes: "
                    + String.join(", ", SyntheticModel.shapes().keySet()) + ")");
        }
        return file.toAbsolutePath();
    }

    /** The GGUF llama-server loads: the file given, or our server variant of the synthetic shape. */
    Path gguf(LaunchValue value, LaunchAxes axes) {
        if (!synthetic(axes)) {
            return ggufPath(value, axes);
        }
        ModelShape shape = shape(value, axes);
        try {
            return SyntheticModelCache.resolveForServer(shape, GgufQuantization.parse(axes.quantization()), SEED,
                    cacheRoot);
        } catch (IOException e) {
            throw new EngineException("cannot write the synthetic model " + axes.model() + " into " + cacheRoot + ": "
                    + e.getMessage() + " (set -Dtpb.cacheDir to a writable folder with room)");
        }
    }

    /** What vLLM or SGLang loads: the value as given, or our Hugging Face folder of the synthetic shape. */
    String hfModel(LaunchValue value, LaunchAxes axes) {
        return synthetic(axes) ? hfFolder(value, axes).toString() : axes.model().trim();
    }

    /** The tokenizer file the client counts with: the synthetic vocabulary's, or null (the server's usage counts). */
    Path tokenizer(LaunchValue value, LaunchAxes axes) {
        return synthetic(axes) ? hfFolder(value, axes).resolve("tokenizer.json") : null;
    }

    private Path hfFolder(LaunchValue value, LaunchAxes axes) {
        try {
            return SyntheticHfModel.resolve(shape(value, axes), cacheRoot);
        } catch (IOException e) {
            throw new EngineException("cannot write the synthetic model folder of " + axes.model() + " into " + cacheRoot
                    + ": " + e.getMessage() + " (set -Dtpb.cacheDir to a writable folder)");
        }
    }
}
