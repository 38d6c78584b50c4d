#!/usr/bin/env bash
# Builds the JMH benchmarks and runs them with the GC profiler (bytes allocated per packet).
# Usage: benchmarks/run-jmh.sh [JMH regexp] [extra JMH options]
#   benchmarks/run-jmh.sh Ip4ForwardingBench
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../bin/lib/java.sh
. "$root/bin/lib/java.sh"
cipherlane_find_java || exit 1
(cd "$root" && ./mvnw -q -B -ntp -DskipTests -pl benchmarks -am package)
pattern=${1:-.}
shift || true
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -jar "$root/benchmarks/target/benchmarks.jar" \
    "$pattern" -prof gc "$@"
