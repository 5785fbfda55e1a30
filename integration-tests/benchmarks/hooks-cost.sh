#!/usr/bin/env bash
# What hooks cost a SET: `bench -t set` on one node with the outbox off (no hook possible), with
# the outbox on and no hook (events recorded, trimmed after a minute), with the outbox on and the
# example hook (events delivered and appended to a file), at -P 1 and -P 16. Prints throughput,
# p99 and the node's CPU per request for each, and the hooks' delivery lag at the end.
#
#   integration-tests/benchmarks/hooks-cost.sh [--rounds 1] [-n 300000] [--warmup 300000] [DIST]
#
# The example hook jar comes from bundles/earthwo.example.hook/target (build it first). Each mode
# gets a fresh node with a deploy/ of its own; modes alternate their order by round. Runs of one
# mode differ by up to 25 % on a small shared machine.
set -euo pipefail
. "$(dirname "$0")/common.sh"

ROUNDS=1 N=300000 WARMUP=300000 DIST=distribution/target/earthwo
HOOK_JAR=$(ls bundles/earthwo.example.hook/target/earthwo.example.hook-*.jar 2>/dev/null | grep -v tests | head -1 || true)
while [ $# -gt 0 ]; do
    case $1 in
        --rounds) ROUNDS=$2; shift 2 ;;
        -n) N=$2; shift 2 ;;
        --warmup) WARMUP=$2; shift 2 ;;
        -*) die "unknown option $1" ;;
        *) DIST=$1; shift ;;
    esac
done
[ -n "$HOOK_JAR" ] || die "no example hook jar in bundles/earthwo.example.hook/target: build it first"

status_fact() {
    "$DIST/bin/earthwo" exec --data "$BENCH_DATA" node:status | awk -v k="$1" '$1 == k {print $3}'
}

DEPLOY=$(mktemp -d /tmp/earthwo-hooks-deploy.XXXXXX)
trap 'stop_node; rm -rf "$DEPLOY"' EXIT INT TERM

echo "# $(date -u +%FT%TZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); SET, $N per test after $WARMUP warm-up SETs"
echo "# round mode -P rps p99_ms node_us_per_request gc rss_kib"
for round in $(seq 1 "$ROUNDS"); do
    if [ $((round % 2)) -eq 1 ]; then modes="off outbox hook"; else modes="hook outbox off"; fi
    for mode in $modes; do
        rm -rf "${DEPLOY:?}"/*
        opts=""
        case $mode in
            outbox) opts="-Dearthwo.storage.outbox.enabled=true" ;;
            hook) opts="-Dearthwo.storage.outbox.enabled=true"; cp "$HOOK_JAR" "$DEPLOY/" ;;
        esac
        EARTHWO_DEPLOY=$DEPLOY start_node "$DIST" "$opts"
        bench_csv "$DIST" -t set -n "$WARMUP" -P 16 >/dev/null
        for p in 1 16; do
            ticks=$(node_ticks); lines=$(gc_log_lines)
            csv=$(bench_csv "$DIST" -t set -n "$N" -P "$p")
            us=$(node_us_per_request "$ticks" "$N")
            rps=$(echo "$csv" | cut -d, -f2 | tr -d '"'); p99=$(echo "$csv" | cut -d, -f7 | tr -d '"')
            echo "$round $mode $p $rps $p99 $us $(gc_pauses_since "$lines") $(node_rss_kib)"
        done
        echo "# $round $mode: storage.outbox.events=$(status_fact storage.outbox.events)" \
            "hooks.example.delivered=$(status_fact hooks.example.delivered)" \
            "hooks.example.lag.p50.ms=$(status_fact hooks.example.lag.p50.ms)" \
            "hooks.example.lag.p99.ms=$(status_fact hooks.example.lag.p99.ms)"
        stop_node
    done
done
