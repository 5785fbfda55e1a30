#!/usr/bin/env bash
# GETs the way the benchmark against Redis runs them: right after 1,000,000 SETs into a fresh node
# (so they pay the SETs' GC debt), twice on the same node. Alternates the distributions.
#
#   integration-tests/benchmarks/get-after-set.sh [--rounds 3] [-P 16] DIST [DIST...]
set -euo pipefail
. "$(dirname "$0")/common.sh"

ROUNDS=3 P=16 DISTS=()
while [ $# -gt 0 ]; do
    case $1 in
        --rounds) ROUNDS=$2; shift 2 ;;
        -P) P=$2; shift 2 ;;
        -*) die "unknown option $1" ;;
        *) DISTS+=("$1"); shift ;;
    esac
done
[ ${#DISTS[@]} -gt 0 ] || die "usage: get-after-set.sh [--rounds N] [-P N] DIST [DIST...]"

echo "# $(date -u +%FT%TZ) $(nproc) cores; -P $P; per run: rps p99_ms node_us_per_get"
for round in $(seq 1 "$ROUNDS"); do
    for dist in "${DISTS[@]}"; do
        start_node "$dist" ""
        bench_csv "$dist" -t set -n 1000000 -P "$P" >/dev/null
        line="$round $dist"
        for run in 1 2; do
            ticks=$(node_ticks)
            csv=$(bench_csv "$dist" -t get -n 1000000 -P "$P")
            line="$line | $(echo "$csv" | cut -d, -f2,7 | tr -d '"' | tr , ' ') $(node_us_per_request "$ticks" 1000000)"
        done
        echo "$line"
        stop_node
    done
done
