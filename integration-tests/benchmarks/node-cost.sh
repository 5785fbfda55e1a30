#!/usr/bin/env bash
# What a request costs the node: for each distribution (or each set of JVM options), a fresh
# node, a warm-up, then each test; prints throughput, p99, the node's CPU per request, its GC
# pauses during the test and its RSS. Alternate the candidates and repeat (--rounds): runs of
# one setting differ by up to 40 % on a small shared VM.
#
#   integration-tests/benchmarks/node-cost.sh [-P 16] [-t set,get] [-n 400000] [--warmup 200000] [--rounds 2]
#                           [--opts "JVM options" ...] DIST [DIST...]
#
# Each --opts adds a candidate (options for EARTHWO_OPTS) run on every DIST; without any, the
# node's defaults. Example: integration-tests/benchmarks/node-cost.sh -P 16 --opts "" --opts "-XX:+UseParallelGC"
# distribution/target/earthwo
set -euo pipefail
. "$(dirname "$0")/common.sh"

P=16 TESTS=set,get N=400000 WARMUP=200000 ROUNDS=1
OPTS=() DISTS=()
while [ $# -gt 0 ]; do
    case $1 in
        -P) P=$2; shift 2 ;;
        -t) TESTS=$2; shift 2 ;;
        -n) N=$2; shift 2 ;;
        --warmup) WARMUP=$2; shift 2 ;;
        --rounds) ROUNDS=$2; shift 2 ;;
        --opts) OPTS+=("$2"); shift 2 ;;
        -*) die "unknown option $1" ;;
        *) DISTS+=("$1"); shift ;;
    esac
done
[ ${#DISTS[@]} -gt 0 ] || die "usage: node-cost.sh [options] DIST [DIST...]"
[ ${#OPTS[@]} -gt 0 ] || OPTS=("")

echo "# $(date -u +%FT%TZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); -P $P, $N per test after $WARMUP warm-up"
echo "# round dist [opts] test rps p99_ms node_us_per_request gc rss_kib"
for round in $(seq 1 "$ROUNDS"); do
    for dist in "${DISTS[@]}"; do
        for opts in "${OPTS[@]}"; do
            start_node "$dist" "$opts"
            bench_csv "$dist" -t set,get -n "$WARMUP" -P "$P" >/dev/null
            for test in ${TESTS//,/ }; do
                ticks=$(node_ticks); lines=$(gc_log_lines)
                csv=$(bench_csv "$dist" -t "$test" -n "$N" -P "$P")
                us=$(node_us_per_request "$ticks" "$N")
                rps=$(echo "$csv" | cut -d, -f2 | tr -d '"'); p99=$(echo "$csv" | cut -d, -f7 | tr -d '"')
                echo "$round $dist [$opts] $test $rps $p99 $us $(gc_pauses_since "$lines") $(node_rss_kib)"
            done
            stop_node
        done
    done
done
