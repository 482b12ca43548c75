#!/usr/bin/env bash
# JMH: one rule-evaluation cycle with 1,000 rule instances (target: under 1 ms).
#   bench/rule-evaluation.sh [extra JMH options]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -ntp test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt \
  -Dmdep.includeScope=test
java -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" org.openjdk.jmh.Main \
  RuleEngineBenchmark -f 1 -wi 3 -w 2s -i 5 -r 2s "$@"
