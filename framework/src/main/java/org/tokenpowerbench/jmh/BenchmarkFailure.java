package org.tokenpowerbench.jmh;

import org.tokenpowerbench.UserError;

/**
 * A trial could not be measured for a reason the user can act on. One line, no stack trace: JMH
 * prints it in the fork's failure report, and the sweep ({@code org.tokenpowerbench.sweep}) repeats it and exits non-zero.
 */
public class BenchmarkFailure extends UserError {
    public BenchmarkFailure(String message) {
        super(message);
    }
}
