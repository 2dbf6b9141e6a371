package org.tokenpowerbench.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code emissions.csv}: one row per trial and energy label with CodeCarbon's column names, so
 * that those who collect CodeCarbon's files can add ours. The columns are those of CodeCarbon 2.x's
 * {@code emissions.csv} (its output documentation, https://mlco2.github.io/codecarbon/output.html,
 * and the files it writes), in its order and units: {@code duration} s, {@code emissions} kg
 * CO2e, {@code emissions_rate} kg/s, powers W, energies kWh. Three columns of ours follow: the
 * energy label, whether the energy was {@code measured} or {@code estimated}, and the trial.
 *
 * <p>What goes where: {@code duration} is the trial's measured waves (mean seconds per wave ×
 * iterations), {@code energy_consumed} their measured energy × PUE; an NVIDIA label's energy and
 * average power fill the {@code gpu_} columns, a CPU label's ({@code rapl}, packages and DRAM
 * together, or the {@code cpu} estimate) the {@code cpu_} columns; columns about the Python
 * process CodeCarbon would run in stay empty.
 */
public final class EmissionsFile {

    public static final String FILE = "emissions.csv";
    static final List<String> CODECARBON_COLUMNS = List.of("timestamp", "project_name", "run_id", "duration",
            "emissions", "emissions_rate", "cpu_power", "gpu_power", "ram_power", "cpu_energy", "gpu_energy",
            "ram_energy", "energy_consumed", "country_name", "country_iso_code", "region", "cloud_provider",
            "cloud_region", "os", "python_version", "codecarbon_version", "cpu_count", "cpu_model", "gpu_count",
            "gpu_model", "longitude", "latitude", "ram_total_size", "tracking_mode", "on_cloud", "pue");
    static final List<String> OUR_COLUMNS = List.of("tpb_energy_label", "tpb_energy_method", "tpb_trial");

    private EmissionsFile() {
    }

    /** Replaces {@code runDir/emissions.csv} with the trials' rows; returns the file. */
    public static Path write(Path runDir, List<TrialResult> trials, CostInputs in) throws IOException {
        List<String> lines = new ArrayList<>();
        List<String> header = new ArrayList<>(CODECARBON_COLUMNS);
        header.addAll(OUR_COLUMNS);
        lines.add(String.join(",", header));
        String now = DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(Instant.now().atOffset(ZoneOffset.UTC).withNano(0));
        var names = SloChoice.names(trials);
        for (TrialResult t : trials) {
            for (String key : t.metrics().keySet()) {
                if (!key.endsWith(".J/outputToken")) {
                    continue;
                }
                String label = key.substring(0, key.length() - ".J/outputToken".length());
                lines.add(row(now, runDir, t, label, names.get(t), in));
            }
        }
        Path file = runDir.resolve(FILE);
        WholeFile.replace(file, out -> out.write((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8)));
        return file;
    }

    private static String row(String now, Path runDir, TrialResult t, String label, String name, CostInputs in) {
        Metric energy = t.metrics().get(label + ".energy");
        Metric power = t.metrics().get(label + ".avgPower");
        long n = t.metrics().get(label + ".J/outputToken").samples();
        // the wave's score is in JMH's output unit (ms/op by default): 1,000 times too long when taken as seconds
        double seconds = t.wave() == null ? Double.NaN : t.wave().score() * Metric.secondsPer(t.wave().unit()) * n;
        double kWh = energy == null ? Double.NaN : energy.score() * n / Footprint.JOULES_PER_KWH * in.pue();
        double kg = kWh * in.grid().gramsPerKWh() / 1000;
        String sensor = label.split("\\.")[0];
        boolean gpu = sensor.equals("nvml");
        boolean cpu = sensor.equals("rapl") || sensor.equals("cpu");
        String watts = power == null ? "" : number(power.score());
        List<String> cells = new ArrayList<>(List.of(now, csv(t.benchmark()), csv(runDir.getFileName() + "/" + name),
                number(seconds), number(kg), number(kg / seconds), cpu ? watts : "", gpu ? watts : "", "",
                cpu ? number(kWh) : "", gpu ? number(kWh) : "", "", number(kWh), csv(in.grid().country()),
                in.grid().isoCode(), "", "", "", csv(System.getProperty("os.name") + " " + System.getProperty("os.version")),
                "", "", "", "", "", "", "", "", "", "", "", number(in.pue())));
        cells.add(csv(label));
        cells.add(label.endsWith(".estimated") ? "estimated" : "measured");
        cells.add(csv(name));
        return String.join(",", cells);
    }

    private static String number(double v) {
        return Double.isFinite(v) ? new java.math.BigDecimal(v).round(new java.math.MathContext(10)).stripTrailingZeros()
                .toPlainString() : "";
    }

    private static String csv(String s) {
        return RunDirectory.csv(s == null ? "" : s);
    }
}
