package org.tokenpowerbench.sweep;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.function.Consumer;
import org.tokenpowerbench.UserError;
import org.tokenpowerbench.report.SweepListener;

/**
 * The listeners of a sweep and how they are told: in order, each on its own, so that one that
 * throws is reported and the others (and the sweep) go on. A listener never loses a measurement.
 */
final class SweepListeners {

    private final List<SweepListener> listeners;
    private final PrintStream console;

    SweepListeners(List<SweepListener> listeners, PrintStream console) {
        this.listeners = List.copyOf(listeners);
        this.console = console;
    }

    /** The listeners registered through {@code ServiceLoader}; one that fails to load is reported and left out. */
    static SweepListeners discovered() {
        List<SweepListener> out = new ArrayList<>();
        Iterator<SweepListener> it = ServiceLoader.load(SweepListener.class).iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                out.add(it.next());
            } catch (ServiceConfigurationError e) {
                System.err.println("tokenpowerbench: a sweep listener failed to load and is left out: " + e.getMessage());
            }
        }
        return new SweepListeners(out, System.err);
    }

    /** Tells every listener; a failure is one line (the user's or the disk's) or a stack trace (a bug in it). */
    void tell(Consumer<SweepListener> event) {
        for (SweepListener l : listeners) {
            try {
                event.accept(l);
            } catch (UserError | UncheckedIOException e) {
                console.println("tokenpowerbench: " + l.getClass().getSimpleName() + ": " + e.getMessage());
            } catch (RuntimeException e) {
                console.println("tokenpowerbench: sweep listener " + l.getClass().getName()
                        + " failed (a bug in it; the sweep goes on):");
                e.printStackTrace(console);
            }
        }
    }

    int size() {
        return listeners.size();
    }
}
