package dev.vigil.enforce.policy;

/** A policy that cannot be read or cannot be enforced: the message starts with FILE:LINE:COL. */
public final class PolicyException extends RuntimeException {
    public PolicyException(String message) {
        super(message);
    }
}
