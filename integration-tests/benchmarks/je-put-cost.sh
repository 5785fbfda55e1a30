#!/usr/bin/env bash
# What one write costs in Berkeley DB JE alone (JePutCost.java): the floor under a node's SET.
# Runs the transactional write the store does and a non-transactional one for comparison (or the
# MODEs given: txn, nontxn, deferred, sorted:N; see JePutCost.java), each in a fresh directory
# that is removed afterwards. Needs a build first (the JE jar in ~/.m2).
#
#   integration-tests/benchmarks/je-put-cost.sh [ROUNDS [MODE...]]
set -euo pipefail
. "$(dirname "$0")/common.sh"
here=$(cd "$(dirname "$0")" && pwd)
version=$(sed -n 's|.*<je.version>\(.*\)</je.version>.*|\1|p' "$here/../../pom.xml")
jar=${MAVEN_REPO:-$HOME/.m2/repository}/com/sleepycat/je/$version/je-$version.jar
[ -f "$jar" ] || die "$jar not found: build first (mvn -DskipTests install)"
dir=$(mktemp -d /tmp/earthwo-je-put-cost.XXXXXX)
trap 'rm -rf "$dir"' EXIT INT TERM
echo "# $(date -u +%FT%TZ) $(nproc) cores, JE $version, $(java -version 2>&1 | head -1)"
rounds=${1:-5}
[ $# -gt 0 ] && shift
modes=("$@")
[ ${#modes[@]} -gt 0 ] || modes=(txn nontxn)
for mode in "${modes[@]}"; do
    mkdir "$dir/run"
    java -Xmx4g -cp "$jar" "$here/JePutCost.java" "$mode" "$dir/run" "$rounds"
    rm -rf "${dir:?}/run"
done
