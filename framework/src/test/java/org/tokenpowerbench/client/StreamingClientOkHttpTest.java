package org.tokenpowerbench.client;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Every test of {@link StreamingClientTest} again with {@code -Dtpb.client.transport=okhttp}: the
 * selector is the default reader of {@code http://} streams, and OkHttp, kept to compare against
 * and for {@code https://}, must record every fault exactly as it does.
 */
class StreamingClientOkHttpTest extends StreamingClientTest {

    private static String before;

    @BeforeAll
    static void chooseOkHttp() {
        before = System.getProperty(Transport.PROPERTY);
        System.setProperty(Transport.PROPERTY, "okhttp");
    }

    @AfterAll
    static void restore() {
        if (before == null) {
            System.clearProperty(Transport.PROPERTY);
        } else {
            System.setProperty(Transport.PROPERTY, before);
        }
    }
}
