package org.tokenpowerbench.energy;

/**
 * Energy and tokens inside a {@link SteadyStateWindow}.
 *
 * @param window       the window
 * @param joules       the signal's energy over it
 * @param promptTokens prompt tokens processed inside it (spread over prefill phases)
 * @param outputTokens output tokens produced inside it (spread over decode phases)
 */
public record SteadyStateEnergy(SteadyStateWindow window, double joules, double promptTokens, double outputTokens) {

    /** Prompt plus output tokens. */
    public double tokens() {
        return promptTokens + outputTokens;
    }

    /** Joules per (prompt or output) token; NaN without tokens. */
    public double joulesPerToken() {
        double tokens = tokens();
        return tokens > 0 ? joules / tokens : Double.NaN;
    }

    /** Joules per output token; NaN without output tokens. */
    public double joulesPerOutputToken() {
        return outputTokens > 0 ? joules / outputTokens : Double.NaN;
    }

    /** Mean power over the window. */
    public double averageWatts() {
        return joules / window.seconds();
    }
}
