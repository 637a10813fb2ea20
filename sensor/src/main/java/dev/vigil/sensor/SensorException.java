package dev.vigil.sensor;

import dev.vigil.ebpf.BpfException;

/** A sensor failure: what failed and where (a program, a tracepoint, a record). */
public class SensorException extends BpfException {
    public SensorException(String message) {
        super(message);
    }

    public SensorException(String message, Throwable cause) {
        super(message, 0, cause);
    }
}
