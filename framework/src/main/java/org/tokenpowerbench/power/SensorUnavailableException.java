package org.tokenpowerbench.power;

/** A sensor cannot be used here; the message says why and what to do, in one line. */
public class SensorUnavailableException extends Exception {
    public SensorUnavailableException(String message) {
        super(message);
    }

    public SensorUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
