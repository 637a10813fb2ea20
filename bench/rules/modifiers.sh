#!/usr/bin/env bash
# List modifiers and multi-value transformers (JMH): events/s for one rule written as an or-chain, with
# startswith anyof/oneof, with concat() and with getopt()[c]. Extra arguments go to JMH (-f 1 -wi 2 -i 3: short).
BENCH=ModifierBench exec "$(dirname "$0")/run.sh" "$@"
