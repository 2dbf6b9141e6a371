package org.tokenpowerbench.report.html;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.tokenpowerbench.report.RunDirectory;

/**
 * Gives each test the same invocation id ({@link RunDirectory#INVOCATION}), so that run folders
 * written by the test have a known name and start time, and puts the JVM's own value back after:
 * {@code @ExtendWith(FixedInvocation.class)}. Runs before the test class's {@code @BeforeEach}.
 */
final class FixedInvocation implements BeforeEachCallback, AfterEachCallback {

    /** The invocation id every test sees: 2026-01-02 03:04:05, pid 7. */
    static final String ID = "20260102-030405-pid7";

    private static final ExtensionContext.Namespace STORE = ExtensionContext.Namespace.create(FixedInvocation.class);
    private static final String BEFORE = "before";
    private static final String NONE = "\0none";

    @Override
    public void beforeEach(ExtensionContext context) {
        String before = System.getProperty(RunDirectory.INVOCATION);
        context.getStore(STORE).put(BEFORE, before == null ? NONE : before);
        System.setProperty(RunDirectory.INVOCATION, ID);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        String before = context.getStore(STORE).get(BEFORE, String.class);
        if (before == null || NONE.equals(before)) {
            System.clearProperty(RunDirectory.INVOCATION);
        } else {
            System.setProperty(RunDirectory.INVOCATION, before);
        }
    }
}
