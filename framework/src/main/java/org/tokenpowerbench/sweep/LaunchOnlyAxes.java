package org.tokenpowerbench.sweep;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tokenpowerbench.UserError;
import org.tokenpowerbench.axes.Axis;
import org.tokenpowerbench.engine.EngineRequest;
import org.tokenpowerbench.engine.gguf.SyntheticModel;
import org.tokenpowerbench.engine.launch.LaunchCommands;
import org.tokenpowerbench.jmh.BenchmarkSpec;

/**
 * The axes that need a server process of their own per value: quantization and the parallel
 * sizes. Checked before the first trial, so that a sweep cannot measure one thing under several
 * names, nor start hours in and then meet a value its engine cannot honour:
 *
 * <ul>
 *   <li>a fixed server ({@code http}, {@code https}, {@code embedded}) with several values of such an
 *       axis for the same model is refused: the values would all measure the same server. The
 *       embedded engine honours {@code quantization} for a {@code synthetic:} model (it writes the
 *       GGUF in that type), so that case stays allowed;</li>
 *   <li>a managed engine ({@code launch:...}) is asked, once per distinct start, whether it can honour
 *       the trial's values ({@link LaunchCommands#check}).</li>
 * </ul>
 */
final class LaunchOnlyAxes {

    /** The axes whose value is fixed by the server process. */
    static final List<Axis> AXES = List.of(Axis.QUANTIZATION, Axis.TENSOR_PARALLEL, Axis.PIPELINE_PARALLEL,
            Axis.DATA_PARALLEL);

    private static final Set<String> FIXED_SCHEMES = Set.of("http", "https", "embedded");

    private LaunchOnlyAxes() {
    }

    /** @throws UserError with one line for the first sweep that cannot be what it says */
    static void check(List<Trial> trials) {
        // per benchmark, engine value and model: every value each launch-only axis takes
        Map<List<String>, Map<Axis, Set<String>>> seen = new LinkedHashMap<>();
        Set<String> launchesChecked = new HashSet<>();
        for (Trial t : trials) {
            Map<String, String> p = t.params();
            String engine = p.get(Axis.ENGINE.paramName());
            String model = p.get(Axis.MODEL.paramName());
            if (engine == null || model == null) {
                continue; // a plain JMH benchmark
            }
            if (LaunchCommands.isLaunch(engine)) {
                BenchmarkSpec spec = spec(t);
                if (launchesChecked.add(engine + "\n" + spec.launchAxes())) {
                    LaunchCommands.check(engine, spec.launchAxes());
                }
                continue;
            }
            if (!FIXED_SCHEMES.contains(EngineRequest.beforeFork(engine, model, "").scheme())) {
                continue; // another jar's engine: it knows what it honours
            }
            Map<Axis, Set<String>> values = seen.computeIfAbsent(List.of(t.benchmark(), engine.trim(), model.trim()),
                    k -> new LinkedHashMap<>());
            for (Axis axis : AXES) {
                String v = p.get(axis.paramName());
                if (v != null) {
                    values.computeIfAbsent(axis, k -> new LinkedHashSet<>()).add(v.trim());
                }
            }
        }
        seen.forEach((key, values) -> values.forEach((axis, set) -> {
            boolean honoured = axis == Axis.QUANTIZATION && key.get(1).equalsIgnoreCase("embedded")
                    && SyntheticModel.isSpec(key.get(2));
            if (set.size() > 1 && !honoured) {
                String where = key.get(1).equalsIgnoreCase("embedded")
                        ? "the embedded engine with model " + key.get(2) : key.get(1);
                throw new UserError("-p " + axis.paramName() + "=" + String.join(",", set) + " against " + where
                        + ": these would all measure the same server; launch the engine per trial with"
                        + " -p engine=launch:<preset> or sweep one value");
            }
        }));
    }

    /** The trial's values as the fork will see them (constants of the generated class take the table's defaults). */
    private static BenchmarkSpec spec(Trial t) {
        String benchmark = t.benchmark();
        int dot = benchmark.lastIndexOf('.');
        BenchmarkSpec.Builder b = BenchmarkSpec.builder(dot < 0 ? benchmark : benchmark.substring(0, dot));
        List<String> names = new ArrayList<>(t.params().keySet());
        for (String name : names) {
            Axis axis = Axis.named(name);
            if (axis != null) {
                b.set(name, axis.type().parse(t.params().get(name)));
            }
        }
        return b.build();
    }
}
