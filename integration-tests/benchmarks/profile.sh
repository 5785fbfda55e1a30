#!/usr/bin/env bash
# Where a node's CPU goes: a fresh node (frame pointers kept so that `perf` can walk Java
# stacks), a warm-up, then `perf record -g` of the node for DURATION seconds during a long run
# of TEST, and a map of the JIT-compiled code (`jcmd Compiler.perfmap`, /tmp/perf-PID.map).
#
#   integration-tests/benchmarks/profile.sh DIST P TEST OUT.data [DURATION]
# then e.g.  perf report -i OUT.data --no-children --sort comm,dso -g none
#            perf report -i OUT.data --no-children --sort sym -g none --comm earthwo-server-
set -euo pipefail
. "$(dirname "$0")/common.sh"

[ $# -ge 4 ] || die "usage: profile.sh DIST P TEST OUT.data [DURATION]"
DIST=$1 P=$2 TEST=$3 OUT=$4 DURATION=${5:-8}
command -v perf >/dev/null || die "perf is not installed"

start_node "$DIST" "-XX:+PreserveFramePointer"
bench_csv "$DIST" -t set,get -n 400000 -P "$P" >/dev/null
pid=$(node_pid)
( sleep 2; perf record -F 999 -g -p "$pid" -o "$OUT" -- sleep "$DURATION" >/dev/null 2>&1
  jcmd "$pid" Compiler.perfmap >/dev/null ) &
recorder=$!
bench_csv "$DIST" -t "$TEST" -n 3000000 -P "$P"
wait "$recorder"
echo "profile in $OUT, JIT map /tmp/perf-$pid.map"
