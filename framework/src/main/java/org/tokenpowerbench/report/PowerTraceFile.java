package org.tokenpowerbench.report;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import org.tokenpowerbench.power.PowerTrace;

/**
 * {@code power-<sensor>-<pid>-<n>.csv}: the raw samples of one iteration of one fork, every
 * channel a column ({@link PowerTrace#writeCsv}), after a comment line naming the trial.
 */
public final class PowerTraceFile {

    private PowerTraceFile() {
    }

    /** The file's name for a sensor's {@code n}-th iteration in this process. */
    public static String name(String sensor, int n) {
        return "power-" + sensor + "-" + ProcessHandle.current().pid() + "-" + n + ".csv";
    }

    public static void write(RunDirectory dir, String sensor, int n, String trial, PowerTrace trace) {
        StringWriter w = new StringWriter();
        try {
            trace.writeCsv(w);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        dir.append(name(sensor, n), "# trial: " + trial + "\n", w.toString());
    }
}
