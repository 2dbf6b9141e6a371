package org.tokenpowerbench.power.nvml;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Which GPUs a CUDA program in this environment would see, worked out from
 * {@code CUDA_VISIBLE_DEVICES} the way the CUDA driver reads it, so that {@code gpus=0} means the
 * same card to the sensor as {@code cuda:0} means to the engine under test.
 *
 * <p>Rules, in order:
 * <ul>
 *   <li>unset: every GPU, in NVML's order;</li>
 *   <li>set but empty (or blank): no GPU;</li>
 *   <li>otherwise a comma-separated list read left to right, each entry (surrounding blanks
 *       ignored) one of: a decimal index into NVML's order ({@code 0}, {@code 3}); a UUID
 *       {@code GPU-xxxxxxxx-...} or any prefix of one that names exactly one GPU (letters
 *       compared without case);</li>
 *   <li>reading stops at the first entry that is none of these, is out of range, names no GPU or
 *       more than one, or repeats a GPU already chosen: that entry and all after it are
 *       ignored, as CUDA ignores them ({@code 0,1,-1,2} selects 0 and 1; {@code -1} selects
 *       none);</li>
 *   <li>a {@code MIG-} entry reached before such a stop is refused with
 *       {@link MigNotSupportedException}: NVML's power and energy belong to the whole physical
 *       GPU and cannot be split among MIG instances.</li>
 * </ul>
 *
 * <p>Index order: CUDA numbers GPUs fastest first unless {@code CUDA_DEVICE_ORDER=PCI_BUS_ID};
 * NVML numbers them by PCI bus. The two agree on machines whose GPUs are all the same model,
 * which ties break by bus id; where models differ, name GPUs by UUID or set
 * {@code CUDA_DEVICE_ORDER=PCI_BUS_ID}. {@link Selection#orderWarning} says when this matters.
 */
public final class CudaVisibleDevices {

    /** The environment variable's name. */
    public static final String VARIABLE = "CUDA_VISIBLE_DEVICES";

    private CudaVisibleDevices() {
    }

    /**
     * The outcome of reading the variable.
     *
     * @param nvmlIndices the visible GPUs as NVML indices, in visible order: CUDA device
     *                    {@code i} is NVML device {@code nvmlIndices.get(i)}
     * @param variable    the variable's value, or null when unset
     * @param ignored     null when every entry was used; else which entry stopped reading and why
     */
    public record Selection(List<Integer> nvmlIndices, String variable, String ignored) {
        public Selection {
            nvmlIndices = List.copyOf(nvmlIndices);
        }

        /**
         * A note for the results when CUDA's default order may differ from NVML's: GPUs of
         * different models, indices used, and {@code CUDA_DEVICE_ORDER} not {@code PCI_BUS_ID}.
         * Null when the mapping is certain.
         *
         * @param names       GPU names in NVML order
         * @param deviceOrder the value of {@code CUDA_DEVICE_ORDER}, or null
         */
        public String orderWarning(List<String> names, String deviceOrder) {
            boolean mixed = names.stream().distinct().count() > 1;
            boolean byIndex = variable == null
                    || Arrays.stream(variable.split(",")).anyMatch(e -> e.strip().matches("[0-9]+"));
            if (mixed && byIndex && !"PCI_BUS_ID".equals(deviceOrder)) {
                return "GPUs of different models and CUDA_DEVICE_ORDER is not PCI_BUS_ID: CUDA numbers"
                        + " them fastest first, this sensor by PCI bus; name GPUs by UUID or set"
                        + " CUDA_DEVICE_ORDER=PCI_BUS_ID so both agree";
            }
            return null;
        }
    }

    /** Thrown for a {@code MIG-} entry, which this sensor cannot measure. */
    public static final class MigNotSupportedException extends IllegalArgumentException {
        MigNotSupportedException(String entry) {
            super(VARIABLE + " names MIG instance '" + entry + "': NVML power and energy cover the"
                    + " whole physical GPU, not a MIG slice; name the parent GPU by index or GPU- UUID"
                    + " to measure it");
        }
    }

    /**
     * Works out the visible GPUs.
     *
     * @param variable the value of {@code CUDA_VISIBLE_DEVICES}, or null when unset
     * @param uuids    every GPU's UUID, in NVML index order
     * @throws MigNotSupportedException for a {@code MIG-} entry reached before reading stops
     */
    public static Selection select(String variable, List<String> uuids) {
        List<Integer> chosen = new ArrayList<>();
        if (variable == null) {
            for (int i = 0; i < uuids.size(); i++) {
                chosen.add(i);
            }
            return new Selection(chosen, null, null);
        }
        if (variable.isBlank()) {
            return new Selection(chosen, variable, null);
        }
        String[] entries = variable.split(",", -1);
        for (int n = 0; n < entries.length; n++) {
            String entry = entries[n].strip();
            String upper = entry.toUpperCase(Locale.ROOT);
            if (upper.startsWith("MIG-")) {
                throw new MigNotSupportedException(entry);
            }
            int index;
            String why;
            if (upper.startsWith("GPU-")) {
                List<Integer> matches = new ArrayList<>();
                for (int i = 0; i < uuids.size(); i++) {
                    if (uuids.get(i).toUpperCase(Locale.ROOT).startsWith(upper)) {
                        matches.add(i);
                    }
                }
                index = matches.size() == 1 ? matches.get(0) : -1;
                why = matches.isEmpty() ? "matches no GPU's UUID" : "matches " + matches.size() + " GPUs' UUIDs";
            } else if (!entry.isEmpty() && entry.chars().allMatch(c -> c >= '0' && c <= '9')) {
                index = entry.length() <= 9 ? Integer.parseInt(entry) : Integer.MAX_VALUE;
                why = "is out of range: " + uuids.size() + " GPU" + (uuids.size() == 1 ? "" : "s") + " installed";
                if (index >= uuids.size()) {
                    index = -1;
                }
            } else {
                index = -1;
                why = "is neither an index nor a GPU- UUID";
            }
            if (index >= 0 && chosen.contains(index)) {
                index = -1;
                why = "repeats a GPU already chosen";
            }
            if (index < 0) {
                String ignored = "entry " + (n + 1) + " '" + entry + "' " + why
                        + "; it and any entries after it are ignored, as CUDA ignores them";
                return new Selection(chosen, variable, ignored);
            }
            chosen.add(index);
        }
        return new Selection(chosen, variable, null);
    }
}
