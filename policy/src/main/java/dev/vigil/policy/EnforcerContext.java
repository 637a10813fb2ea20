package dev.vigil.policy;

import dev.vigil.ebpf.pin.PinDirectory;
import java.io.PrintStream;
import java.util.function.Consumer;

/**
 * What an enforcer gets from the agent: its own pin folder (adopting when it held pins already), the options, where
 * its events go (flows, denials) and the log.
 */
public record EnforcerContext(PinDirectory pins, boolean adopting, PolicyOptions options,
        Consumer<PolicyEvent> events, PrintStream log) {}
