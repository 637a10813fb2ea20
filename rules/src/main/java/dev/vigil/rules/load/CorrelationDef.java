package dev.vigil.rules.load;

import dev.vigil.rules.SourcePos;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@code - correlation:} item as read from the files (overrides applied), before compiling: every value keeps
 * its position, so the builder's errors name FILE:LINE:COL.
 */
final class CorrelationDef extends Defs.ItemDef {
    /** One step of a sequence: its name and condition. */
    record StepDef(Text name, List<Text> condition, SourcePos pos) {}

    /** {@code threshold: {gte: N}} (or {@code gt}); the operator and the number as written. */
    record ThresholdDef(Text op, Text value, SourcePos pos) {}

    Text type;
    List<StepDef> steps = new ArrayList<>();
    List<Text> groupBy = new ArrayList<>();
    List<Text> distinct = new ArrayList<>();
    Text window;
    ThresholdDef threshold;
    /** alias -> step name -> field. */
    Map<String, Map<String, Text>> aliases = new LinkedHashMap<>();
    /** Where each alias is defined. */
    Map<String, SourcePos> aliasPos = new LinkedHashMap<>();
    Text maxKeys;
    CorrelationDef(String name, SourcePos pos) {
        super(name, pos);
    }

    @Override
    String kind() { return "correlation"; }
}
