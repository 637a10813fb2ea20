package dev.vigil.rules.load;

import dev.vigil.rules.Priority;
import dev.vigil.rules.SourcePos;
import dev.vigil.rules.load.Defs.ExceptionDef;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@code - correlation:} item as read from the files (overrides applied), before compiling: every value keeps
 * its position, so the builder's errors name FILE:LINE:COL.
 */
final class CorrelationDef {
    /** One step of a sequence: its name and condition. */
    record StepDef(Text name, List<Text> condition, SourcePos pos) {}

    /** {@code threshold: {gte: N}} (or {@code gt}); the operator and the number as written. */
    record ThresholdDef(Text op, Text value, SourcePos pos) {}

    final String name;
    final SourcePos pos;
    String desc = "";
    Priority priority;
    boolean enabled = true;
    final Set<String> tags = new LinkedHashSet<>();
    Text type;
    final List<Text> condition = new ArrayList<>();
    List<StepDef> steps = new ArrayList<>();
    List<Text> groupBy = new ArrayList<>();
    List<Text> distinct = new ArrayList<>();
    Text window;
    ThresholdDef threshold;
    /** alias -> step name -> field. */
    Map<String, Map<String, Text>> aliases = new LinkedHashMap<>();
    /** Where each alias is defined. */
    Map<String, SourcePos> aliasPos = new LinkedHashMap<>();
    final List<Text> output = new ArrayList<>();
    final List<ExceptionDef> exceptions = new ArrayList<>();
    Text maxKeys;
    /** Had errors in its definition: checked no further, never loaded. */
    boolean broken;

    CorrelationDef(String name, SourcePos pos) {
        this.name = name;
        this.pos = pos;
    }
}
