package org.tokenpowerbench.prometheus;

import java.util.List;

/**
 * The scrapes of one wave.
 *
 * @param before         the last scrape answered before the wave's first send with none of our
 *                       requests in flight (the end of the wave before, or the one at the session's
 *                       start), so its counters are the server's at the first send; null when none
 *                       answered
 * @param during         the scrapes taken while the wave ran, in order: the one at its start and
 *                       one every period
 * @param after          the scrape started after the wave's last answer arrived; null when it failed
 * @param errors         scrapes that failed (refused, timed out, a status other than 200, a body
 *                       over the size limit): counted, never a reason to fail the trial
 * @param firstError     the first of them in one line, or null
 * @param malformedLines lines the parser skipped, over every scrape of the wave
 */
public record WaveScrapes(Scrape before, List<Scrape> during, Scrape after, int errors, String firstError,
                          int malformedLines) {

    public WaveScrapes {
        during = List.copyOf(during);
    }

    /** Every scrape, boundaries included, in time order. */
    public List<Scrape> all() {
        java.util.ArrayList<Scrape> all = new java.util.ArrayList<>();
        if (before != null) {
            all.add(before);
        }
        all.addAll(during);
        if (after != null) {
            all.add(after);
        }
        return all;
    }
}
