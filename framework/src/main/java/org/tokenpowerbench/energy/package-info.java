/**
 * Timeline maths that turns a {@link org.tokenpowerbench.power.PowerTrace} and the
 * {@link org.tokenpowerbench.client.RequestTimeline}s of one wave into joules: the power signal
 * ({@link org.tokenpowerbench.energy.PowerSignal}), phase attribution under a named policy
 * ({@link org.tokenpowerbench.energy.PhaseAttribution},
 * {@link org.tokenpowerbench.energy.AttributionPolicy}), the idle baseline and dynamic energy
 * ({@link org.tokenpowerbench.energy.IdleBaseline}), the steady-state window
 * ({@link org.tokenpowerbench.energy.SteadyStateWindow}) and the regression cross-check
 * ({@link org.tokenpowerbench.energy.EnergyRegression}).
 *
 * <p>Depends on {@code power}, {@code client} and {@code workload} types only; the JMH bridge
 * ({@code jmh.PowerProfiler}) sits on top. Definitions are in {@code docs/attribution.md}.
 */
package org.tokenpowerbench.energy;
