#!/usr/bin/env bash
# Builds the JMH benchmarks and runs them with the GC profiler (bytes allocated per packet).
# Usage: benchmarks/run-jmh.sh [JMH regexp] [extra JMH options]
#   benchmarks/run-jmh.sh Ip4ForwardingBench
#   JMH_SKIP_BUILD=1 benchmarks/run-jmh.sh EspBench   # run the jar already in benchmarks/target
#     (for a tree where others are mid-edit: build it with `-pl benchmarks` against installed modules)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../bin/lib/java.sh
. "$root/bin/lib/java.sh"
cipherlane_find_java || exit 1
if [ -z "${JMH_SKIP_BUILD:-}" ]; then
    (cd "$root" && ./mvnw -q -B -ntp -DskipTests -pl benchmarks -am package)
fi
pattern=${1:-.}
shift || true
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -jar "$root/benchmarks/target/benchmarks.jar" \
    "$pattern" -prof gc "$@"
