package dev.vigil.events;

/** One named parameter of an event type: its name as in {@code evt.arg.NAME}, its type and flag set. */
public record Param(String name, ParamType type, FlagSet flags) {
}
