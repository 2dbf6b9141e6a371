package org.tokenpowerbench.client;

import java.util.Locale;
import org.tokenpowerbench.UserError;

/**
 * How a {@link StreamingClient} reads streams from plain {@code http://} servers
 * ({@code -Dtpb.client.transport}); {@code https://} is always read by OkHttp.
 */
public enum Transport {
    /**
     * The default: a few threads read every socket ({@link SocketReaders}), so a stream costs a
     * socket and a few kilobytes, not a thread; 10,000 streams fit in a few hundred megabytes.
     */
    SELECTOR,
    /** OkHttp, one blocking thread per stream in flight: the reader of earlier versions, kept to compare. */
    OKHTTP;

    /** The system property that chooses. */
    public static final String PROPERTY = "tpb.client.transport";

    /** The transport {@value #PROPERTY} names, {@link #SELECTOR} when it is not set. */
    public static Transport fromProperty() {
        String v = System.getProperty(PROPERTY);
        if (v == null || v.isBlank()) {
            return SELECTOR;
        }
        try {
            return valueOf(v.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UserError("-D" + PROPERTY + "=" + v + " is not a transport: give selector (the default: a few"
                    + " threads read every stream) or okhttp (a thread per stream)");
        }
    }
}
