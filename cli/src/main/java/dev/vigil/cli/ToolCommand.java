package dev.vigil.cli;

import java.util.concurrent.Callable;

/** A BCC-style tool command: a bad flag gets one line and exit 2 (Vigil.toolBadFlag), as the C tools do. */
interface ToolCommand extends Callable<Integer> {}
