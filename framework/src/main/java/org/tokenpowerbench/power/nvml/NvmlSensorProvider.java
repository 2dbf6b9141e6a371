package org.tokenpowerbench.power.nvml;

import java.util.Map;
import org.tokenpowerbench.UserError;
import org.tokenpowerbench.power.PowerSensor;
import org.tokenpowerbench.power.PowerSensorProvider;
import org.tokenpowerbench.power.SensorUnavailableException;

/**
 * {@code -prof nvml}: NVIDIA GPU power and energy through {@code libnvidia-ml.so.1}.
 *
 * <p>Options ({@link NvmlOptions}): {@code gpus=0,1} picks visible GPUs (after
 * {@code CUDA_VISIBLE_DEVICES}), default all; {@code counterPeriod=300ms} (the default) is how
 * often the energy counter's step is bracketed between window boundaries. Example: {@code -prof nvml:period=10ms;gpus=0,1}.
 *
 * <p>Where there is no NVIDIA driver, {@link #open} throws {@link SensorUnavailableException}
 * with the one line {@value JnaNvmlLibrary#NOT_FOUND_MESSAGE}; bad options and hidden GPUs are
 * reported the same way, as one line saying what to change.
 */
public final class NvmlSensorProvider implements PowerSensorProvider {

    @Override
    public String id() {
        return "nvml";
    }

    @Override
    public String description() {
        return "NVIDIA GPU energy from NVML's energy counter, shaped by instant power (counter, gpu scope, per GPU); gpus=0,1";
    }

    @Override
    public PowerSensor open(Map<String, String> options) throws SensorUnavailableException {
        NvmlOptions parsed;
        try {
            parsed = NvmlOptions.parse(options);
        } catch (UserError e) {
            throw new SensorUnavailableException(e.getMessage());
        }
        return NvmlSensor.open(JnaNvmlLibrary.load(), parsed);
    }
}
