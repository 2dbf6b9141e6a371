package org.tokenpowerbench.prometheus;

/**
 * One answered {@code GET /metrics}, on the fork's {@link System#nanoTime()} clock (the clock the
 * requests are stamped on).
 *
 * @param sentNanos     when the request left
 * @param answeredNanos when the whole body had arrived
 * @param exposition    what it said, filtered to the names kept
 */
public record Scrape(long sentNanos, long answeredNanos, Exposition exposition) {

    /**
     * The instant the scrape stands for: the middle of its round trip, since the server read its
     * counters somewhere between the two.
     */
    public long nanos() {
        return sentNanos + (answeredNanos - sentNanos) / 2;
    }
}
