package org.tokenpowerbench.engine;

import java.nio.file.Path;

/** The shared third-party GGUF fixture, for tests in other packages (see {@link EmbeddedEngineTest}). */
public final class EmbeddedEngineTestAccess {

    private EmbeddedEngineTestAccess() {
    }

    public static Path sharedFixture() {
        return EmbeddedEngineTest.sharedFixture();
    }
}
