package org.tokenpowerbench.report;

/**
 * One figure of a trial as JMH aggregated it over the trial's measured iterations.
 *
 * @param score   the mean (or JMH's aggregate for the metric's policy)
 * @param error   JMH's error half-width at its confidence level (99.9 % by default); NaN with one sample
 * @param unit    e.g. {@code J/token (token-weighted)}, {@code ms}
 * @param samples how many iterations it covers
 */
public record Metric(double score, double error, String unit, long samples) {
}
