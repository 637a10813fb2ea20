package dev.vigil.rules.engine;

/** Falco's rule_matching: {@code all} (every matching rule alerts, the default) or {@code first} (load order). */
public enum MatchMode { ALL, FIRST }
