package org.tokenpowerbench.energy;

import java.util.List;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;
import org.apache.commons.math3.stat.regression.OLSMultipleLinearRegression;

/**
 * The regression cross-check: across waves (iterations of a trial, and sweep points that differ in
 * prompt and output lengths), fit
 * <pre>
 *   energyJ ≈ a · prefillTokens + b · decodeTokens + c · seconds
 * </pre>
 * by ordinary least squares (commons-math3 {@link OLSMultipleLinearRegression}) and report
 * {@code a}, {@code b}, {@code c} with standard errors, and R². {@code a} and {@code b} are
 * marginal joules per prompt and per decode token, {@code c} the power that is paid per second
 * whatever is processed (compare it with the idle baseline). None of it depends on an attribution
 * policy, so it checks the policies from outside.
 *
 * <p><b>No intercept</b>: a wave that processes no token and lasts no time uses no energy, so the
 * model goes through the origin; a constant per-wave energy has no physical cause here (the
 * window opens at the wave's start and per-second costs are in {@code c}), and an intercept would
 * cost a degree of freedom that the few iterations of a run cannot spare and would be nearly
 * collinear with {@code c · seconds}. R² is therefore the uncentered one
 * ({@code 1 − RSS / Σ energy²}), as commons-math computes it without an intercept; judge the fit
 * by the standard errors and the residual standard error rather than by R² alone.
 *
 * <p><b>Identifiability</b>: {@code a} and {@code b} separate only if prompt and decode token
 * counts vary independently across the observations (sweep {@code inputTokens} and
 * {@code outputTokens}); iterations of one trial alone repeat the same counts. A fit that cannot
 * be made says why in {@link Fit#problem()}. Where power hardly depends on the work (a device that
 * is either busy or idle, and the CPU-time estimate, which charges every busy core the same), the
 * wave's length is itself almost a linear function of its tokens, so {@code c · seconds} absorbs
 * what the tokens cost and {@code a}, {@code b} come out near 0 with large standard errors.
 * {@link #fitAboveIdleBaseline} therefore also fits with {@code c} fixed to the trial's measured
 * idle baseline: {@code energyJ − baselineW · seconds ≈ a · prefillTokens + b · decodeTokens}, whose
 * {@code a} and {@code b} are the dynamic joules per token that the attribution's dynamic figures
 * estimate.
 */
public final class EnergyRegression {

    /** The model, as written into results. */
    public static final String MODEL = "energyJ = a*prefillTokens + b*decodeTokens + c*seconds, no intercept, OLS";

    /** Fewest observations for a fit with standard errors: three coefficients and one degree of freedom. */
    public static final int MIN_OBSERVATIONS = 4;

    private EnergyRegression() {
    }

    /**
     * One wave.
     *
     * @param energyJ       measured energy over the wave's window
     * @param prefillTokens prompt tokens of its successful requests
     * @param decodeTokens  tokens generated in decode phases ({@code outputTokens - 1} per request)
     * @param seconds       length of the wave's window
     * @param idleBaselineW the trial's idle baseline in watts, NaN when none was measured
     */
    public record Observation(double energyJ, double prefillTokens, double decodeTokens, double seconds,
                              double idleBaselineW) {

        /** An observation without an idle baseline. */
        public Observation(double energyJ, double prefillTokens, double decodeTokens, double seconds) {
            this(energyJ, prefillTokens, decodeTokens, seconds, Double.NaN);
        }
    }

    /** A coefficient and its standard error. */
    public record Coefficient(double value, double standardError) {
    }

    /**
     * The result of a fit.
     *
     * @param observations          number of waves
     * @param a                     joules per prefill (prompt) token
     * @param b                     joules per decode token
     * @param c                     watts: joules per second of wave; for {@link #fitAboveIdleBaseline}
     *                              the mean measured idle baseline, not fitted (standard error NaN)
     * @param rSquared              uncentered R²
     * @param residualStandardError root mean square residual (joules), with n − (number of fitted
     *                              coefficients) degrees of freedom
     * @param problem               null when the fit was made, else why not (coefficients are NaN)
     */
    public record Fit(int observations, Coefficient a, Coefficient b, Coefficient c, double rSquared,
                      double residualStandardError, String problem) {

        /** True when the coefficients are meaningful. */
        public boolean ok() {
            return problem == null;
        }

        /** The energy the fit predicts for a wave. */
        public double predict(double prefillTokens, double decodeTokens, double seconds) {
            return a.value() * prefillTokens + b.value() * decodeTokens + c.value() * seconds;
        }

        static Fit failed(int n, String why) {
            Coefficient nan = new Coefficient(Double.NaN, Double.NaN);
            return new Fit(n, nan, nan, nan, Double.NaN, Double.NaN, why);
        }
    }

    /** Fits the model; never throws for bad data, but returns a {@link Fit} with its {@code problem}. */
    public static Fit fit(List<Observation> observations) {
        int n = observations.size();
        if (n < MIN_OBSERVATIONS) {
            return Fit.failed(n, n + " observation(s): the fit needs at least " + MIN_OBSERVATIONS
                    + " (three coefficients and one degree of freedom); run more iterations or sweep points");
        }
        double[] y = new double[n];
        double[][] x = new double[n][3];
        for (int i = 0; i < n; i++) {
            Observation o = observations.get(i);
            y[i] = o.energyJ();
            x[i][0] = o.prefillTokens();
            x[i][1] = o.decodeTokens();
            x[i][2] = o.seconds();
            for (double v : new double[] {y[i], x[i][0], x[i][1], x[i][2]}) {
                if (!Double.isFinite(v)) {
                    return Fit.failed(n, "observation " + i + " is not finite (" + o + ")");
                }
            }
        }
        return solve(n, y, x, null);
    }

    /**
     * Fits {@code energyJ − idleBaselineW · seconds ≈ a · prefillTokens + b · decodeTokens} (no
     * intercept): {@code c} is not fitted but taken from each observation's measured idle baseline.
     * Needs at least 3 observations, every one with a baseline.
     */
    public static Fit fitAboveIdleBaseline(List<Observation> observations) {
        int n = observations.size();
        if (n < 3) {
            return Fit.failed(n, n + " observation(s): the fit above the idle baseline needs at least 3 (two"
                    + " coefficients and one degree of freedom); run more iterations or sweep points");
        }
        double[] y = new double[n];
        double[][] x = new double[n][2];
        double baselineSum = 0;
        for (int i = 0; i < n; i++) {
            Observation o = observations.get(i);
            if (!Double.isFinite(o.idleBaselineW())) {
                return Fit.failed(n, "observation " + i + " has no idle baseline (-Dtpb.idleSeconds=0?), so c cannot"
                        + " be fixed to it");
            }
            y[i] = o.energyJ() - o.idleBaselineW() * o.seconds();
            x[i][0] = o.prefillTokens();
            x[i][1] = o.decodeTokens();
            baselineSum += o.idleBaselineW();
            for (double v : new double[] {y[i], x[i][0], x[i][1]}) {
                if (!Double.isFinite(v)) {
                    return Fit.failed(n, "observation " + i + " is not finite (" + o + ")");
                }
            }
        }
        return solve(n, y, x, new Coefficient(baselineSum / n, Double.NaN));
    }

    /**
     * No-intercept least squares of {@code y} on the columns of {@code x} (prefill tokens, decode
     * tokens and, unless {@code fixedC} is given, seconds).
     */
    private static Fit solve(int n, double[] y, double[][] x, Coefficient fixedC) {
        String collinear = collinearity(x);
        if (collinear != null) {
            return Fit.failed(n, collinear);
        }
        OLSMultipleLinearRegression ols = new OLSMultipleLinearRegression();
        ols.setNoIntercept(true);
        try {
            ols.newSampleData(y, x);
            double[] beta = ols.estimateRegressionParameters();
            double[] se = ols.estimateRegressionParametersStandardErrors();
            Coefficient c = fixedC != null ? fixedC : new Coefficient(beta[2], se[2]);
            return new Fit(n, new Coefficient(beta[0], se[0]), new Coefficient(beta[1], se[1]), c,
                    ols.calculateRSquared(), ols.estimateRegressionStandardError(), null);
        } catch (RuntimeException e) {
            return Fit.failed(n, "the least-squares fit failed: " + e.getMessage());
        }
    }

    /** Why the columns cannot be separated, or null. Columns are scaled to unit length first. */
    private static String collinearity(double[][] x) {
        int n = x.length;
        int k = x[0].length;
        double[][] scaled = new double[n][k];
        String[] names = {"prefillTokens", "decodeTokens", "seconds"};
        for (int j = 0; j < k; j++) {
            double norm = 0;
            for (double[] row : x) {
                norm += row[j] * row[j];
            }
            norm = Math.sqrt(norm);
            if (norm == 0) {
                return names[j] + " is 0 in every observation, so its coefficient cannot be estimated";
            }
            for (int i = 0; i < n; i++) {
                scaled[i][j] = x[i][j] / norm;
            }
        }
        double[] sv = new SingularValueDecomposition(new Array2DRowRealMatrix(scaled, false)).getSingularValues();
        if (sv[sv.length - 1] / sv[0] > 1e-9) {
            return null;
        }
        double[][] tokens = new double[n][2];
        for (int i = 0; i < n; i++) {
            tokens[i][0] = scaled[i][0];
            tokens[i][1] = scaled[i][1];
        }
        double[] tsv = new SingularValueDecomposition(new Array2DRowRealMatrix(tokens, false)).getSingularValues();
        if (tsv[1] / tsv[0] <= 1e-9) {
            return "prefill and decode tokens are in the same proportion in every observation, so a and b cannot be"
                    + " told apart: sweep prompt and output lengths independently (e.g. -p inputTokens=32,128"
                    + " -p outputTokens=16,64)";
        }
        return "prefillTokens, decodeTokens and seconds are linearly dependent across the observations, so a, b and c"
                + " cannot be told apart: vary batch, prompt and output lengths";
    }
}
