package org.tokenpowerbench.engine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.tokenpowerbench.engine.gguf.GgufQuantization;
import org.tokenpowerbench.engine.gguf.SyntheticModel;
import org.tokenpowerbench.engine.gguf.SyntheticModelCache;

/** Turns a {@code @Model} value into a GGUF file the embedded engine can load. */
final class ModelFile {

    static final String SYNTHETIC = "synthetic:";

    private ModelFile() {
    }

    /**
     * {@code synthetic:<shape>} is written (once, then cached) in the requested quantization; any
     * other value must be the path of an existing GGUF file.
     */
    static Path resolve(String model, String quantization) {
        check(model, quantization);
        if (model.startsWith(SYNTHETIC)) {
            try {
                return SyntheticModelCache.resolve(model.substring(SYNTHETIC.length()), quantization, 42L);
            } catch (IllegalArgumentException e) {
                throw new EngineException(e.getMessage());
            } catch (IOException e) {
                throw new EngineException("cannot write the synthetic model " + model + ": " + e.getMessage()
                        + " (set -Dtpb.cacheDir to a writable folder)");
            }
        }
        return Path.of(model);
    }

    /** Checks a model value without writing or loading anything. */
    static void check(String model, String quantization) {
        if (model == null || model.isBlank()) {
            throw new EngineException("model is empty: give a .gguf path or synthetic:llama-tiny");
        }
        if (model.startsWith(SYNTHETIC)) {
            try {
                SyntheticModel.parseSpec(model);
                GgufQuantization.parse(quantization);
            } catch (IllegalArgumentException e) {
                throw new EngineException(e.getMessage());
            }
            return;
        }
        Path path = Path.of(model);
        if (!Files.isRegularFile(path)) {
            throw new EngineException("model file '" + model + "' does not exist: give the path of a .gguf file, "
                    + "or synthetic:llama-tiny for a generated one (with -p model=...)");
        }
        try (InputStream in = Files.newInputStream(path)) {
            byte[] magic = in.readNBytes(4);
            if (magic.length < 4 || magic[0] != 'G' || magic[1] != 'G' || magic[2] != 'U' || magic[3] != 'F') {
                throw new EngineException("model file '" + model + "' is not a GGUF file (it does not start with 'GGUF'): "
                        + "the embedded engine loads llama.cpp GGUF models only");
            }
        } catch (IOException e) {
            throw new EngineException("cannot read model file '" + model + "': " + e.getMessage());
        }
    }
}
