package org.tokenpowerbench.sweep;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.ProfilerConfig;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;
import org.openjdk.jmh.runner.options.WarmupMode;
import org.openjdk.jmh.util.Optional;

/**
 * The user's JMH options narrowed to one {@link Trial}: only its benchmark (an exact include, no
 * excludes), one value per parameter, the run folder added to the forks' JVM arguments, and no
 * result file ({@link Main} writes that once over the whole sweep). Everything else (iterations,
 * forks, profilers, ...) is the user's. Not an {@code OptionsBuilder} with a parent, because that
 * adds the parent's includes to its own; serializable, because JMH sends the options to every fork.
 */
final class TrialOptions implements Options {

    private static final long serialVersionUID = 1L;

    private final Options user;
    private final String include;
    private final LinkedHashMap<String, String> params;
    private final ArrayList<String> jvmArgsAppend;

    TrialOptions(Options user, Trial trial, List<String> jvmArgsAppend) {
        this.user = user;
        this.include = "^" + Pattern.quote(trial.benchmark()) + "$";
        this.params = new LinkedHashMap<>(trial.params());
        this.jvmArgsAppend = new ArrayList<>(jvmArgsAppend);
    }

    @Override
    public List<String> getIncludes() {
        return List.of(include);
    }

    @Override
    public List<String> getExcludes() {
        return List.of();
    }

    @Override
    public Optional<Collection<String>> getParameter(String name) {
        String value = params.get(name);
        return value == null ? Optional.none() : Optional.of(List.of(value));
    }

    @Override
    public Optional<Collection<String>> getJvmArgsAppend() {
        return Optional.of(List.copyOf(jvmArgsAppend));
    }

    @Override
    public Optional<ResultFormatType> getResultFormat() {
        return Optional.none();
    }

    @Override
    public Optional<String> getResult() {
        return Optional.none();
    }

    @Override
    public Optional<String> getOutput() {
        return Optional.none(); // Main hands the runner its output format
    }

    // --- the user's, unchanged ------------------------------------------------------------------

    @Override
    public Optional<Boolean> shouldDoGC() {
        return user.shouldDoGC();
    }

    @Override
    public List<ProfilerConfig> getProfilers() {
        return user.getProfilers();
    }

    @Override
    public Optional<VerboseMode> verbosity() {
        return user.verbosity();
    }

    @Override
    public Optional<Boolean> shouldFailOnError() {
        return user.shouldFailOnError();
    }

    @Override
    public Optional<Integer> getThreads() {
        return user.getThreads();
    }

    @Override
    public Optional<int[]> getThreadGroups() {
        return user.getThreadGroups();
    }

    @Override
    public Optional<Boolean> shouldSyncIterations() {
        return user.shouldSyncIterations();
    }

    @Override
    public Optional<Integer> getWarmupIterations() {
        return user.getWarmupIterations();
    }

    @Override
    public Optional<TimeValue> getWarmupTime() {
        return user.getWarmupTime();
    }

    @Override
    public Optional<Integer> getWarmupBatchSize() {
        return user.getWarmupBatchSize();
    }

    @Override
    public Optional<WarmupMode> getWarmupMode() {
        return user.getWarmupMode();
    }

    @Override
    public List<String> getWarmupIncludes() {
        return user.getWarmupIncludes();
    }

    @Override
    public Optional<Integer> getMeasurementIterations() {
        return user.getMeasurementIterations();
    }

    @Override
    public Optional<TimeValue> getMeasurementTime() {
        return user.getMeasurementTime();
    }

    @Override
    public Optional<Integer> getMeasurementBatchSize() {
        return user.getMeasurementBatchSize();
    }

    @Override
    public Collection<Mode> getBenchModes() {
        return user.getBenchModes();
    }

    @Override
    public Optional<TimeUnit> getTimeUnit() {
        return user.getTimeUnit();
    }

    @Override
    public Optional<Integer> getOperationsPerInvocation() {
        return user.getOperationsPerInvocation();
    }

    @Override
    public Optional<Integer> getForkCount() {
        return user.getForkCount();
    }

    @Override
    public Optional<Integer> getWarmupForkCount() {
        return user.getWarmupForkCount();
    }

    @Override
    public Optional<String> getJvm() {
        return user.getJvm();
    }

    @Override
    public Optional<Collection<String>> getJvmArgs() {
        return user.getJvmArgs();
    }

    @Override
    public Optional<Collection<String>> getJvmArgsPrepend() {
        return user.getJvmArgsPrepend();
    }

    @Override
    public Optional<TimeValue> getTimeout() {
        return user.getTimeout();
    }
}
