package org.tokenpowerbench.report.html;

import java.util.List;

/**
 * The requests of one measured wave, as {@code requests.csv} holds them: a fork appends a wave's
 * rows in one write, so a wave is a run of rows with the same trial, iteration and invocation. Two
 * forks of a trial both have a {@code measurement-1} under one invocation; their runs of rows are
 * told apart where a request index comes round again.
 *
 * @param trialId    the trial's id
 * @param trial      the trial's description
 * @param iteration  {@code measurement-N}
 * @param invocation the command that wrote it
 * @param requests   its rows, in the order written
 */
record MeasuredWave(String trialId, String trial, String iteration, String invocation, List<RequestLine> requests) {

    MeasuredWave {
        requests = List.copyOf(requests);
    }

    /** The key the wave's power rows carry. */
    String key() {
        return trialId + "\n" + iteration + "\n" + invocation;
    }

    /** The earliest stamp of the wave (a request's queue start or send), Unix ms. */
    double startMs() {
        double t = Double.POSITIVE_INFINITY;
        for (RequestLine r : requests) {
            t = Math.min(t, Math.min(finiteOr(r.queuedMs(), t), finiteOr(r.sentMs(), t)));
        }
        return t;
    }

    /** The first send, Unix ms: where the wave's energy window opens. */
    double firstSendMs() {
        double t = Double.POSITIVE_INFINITY;
        for (RequestLine r : requests) {
            t = Math.min(t, finiteOr(r.sentMs(), t));
        }
        return t;
    }

    /** The last stamp of the wave (a last token, or a send where none came), Unix ms. */
    double endMs() {
        double t = Double.NEGATIVE_INFINITY;
        for (RequestLine r : requests) {
            t = Math.max(t, Math.max(finiteOr(r.lastTokenMs(), t), finiteOr(r.sentMs(), t)));
        }
        return t;
    }

    private static double finiteOr(double v, double otherwise) {
        return Double.isFinite(v) ? v : otherwise;
    }
}
