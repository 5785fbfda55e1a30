#!/usr/bin/env bash
# What an expiry costs a SET: `bench -t set` without and with `--ttl MS` (default an hour, so no
# key expires during the run and the reaper has nothing to do), at -P 1 and -P 16, on one node.
# Prints throughput, p99 and the node's CPU per request for each, and the node's expiry index
# at the end (0 without --ttl; with it, one entry per distinct key written).
#
#   integration-tests/benchmarks/ttl-cost.sh [--rounds 2] [-n 400000] [--warmup 400000] [--ttl 3600000] [-r 1000000] [DIST]
#
# Each mode gets a fresh node of its own, warmed with -n SETs of that mode at -P 16: a SET
# without --ttl on a key that holds an expiry removes its index entry, so the two modes on one
# node would charge index work to the SETs without expiry. With --ttl nearly every SET of a key
# already written moves its index entry (a delete and an insert in the segment's index database,
# in the record's transaction): each SET carries a new expiry, its batch's time plus MS. The
# modes alternate (plain first in odd rounds, ttl first in even ones); runs of one mode differ
# by up to 25 % on a small shared machine. -r sets bench's keyspace: -r 2000000000 makes nearly
# every SET a new key, whose expiry is one index insert (no entry to delete).
set -euo pipefail
. "$(dirname "$0")/common.sh"

ROUNDS=2 N=400000 WARMUP=400000 TTL=3600000 KEYSPACE=1000000 DIST=distribution/target/earthwo
while [ $# -gt 0 ]; do
    case $1 in
        --rounds) ROUNDS=$2; shift 2 ;;
        -n) N=$2; shift 2 ;;
        --warmup) WARMUP=$2; shift 2 ;;
        --ttl) TTL=$2; shift 2 ;;
        -r) KEYSPACE=$2; shift 2 ;;
        -*) die "unknown option $1" ;;
        *) DIST=$1; shift ;;
    esac
done

# Node CPU per request since node_ticks printed $1, over $2 requests, in us with one decimal.
us_per_request() { awk -v t="$(( $(node_ticks) - $1 ))" -v hz="$(getconf CLK_TCK)" -v n="$2" 'BEGIN {printf "%.1f", t * 1e6 / hz / n}'; }

# CPU ticks so far: the whole machine's busy time, and that of this script's finished children
# (the bench clients); with the node's, what other processes took during a test.
machine_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }
client_ticks() { awk '{print $16 + $17}' "/proc/$$/stat"; }
cores() { awk -v t="$1" -v hz="$(getconf CLK_TCK)" -v ns="$2" 'BEGIN {printf "%.2f", t / hz / (ns / 1e9)}'; }

# One fact of the node's status (node:status, through exec and the node's admin secret).
status_fact() {
    "$DIST/bin/earthwo" exec --data "$BENCH_DATA" node:status | awk -v k="$1" '$1 == k {print $3}'
}

echo "# $(date -u +%FT%TZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); SET, $N per test after $WARMUP warm-up SETs; -r $KEYSPACE, --ttl $TTL"
echo "# round mode -P rps p99_ms node_us_per_request gc rss_kib cores:node,bench,other_processes"
for round in $(seq 1 "$ROUNDS"); do
    if [ $((round % 2)) -eq 1 ]; then modes="plain ttl"; else modes="ttl plain"; fi
    for mode in $modes; do
        if [ "$mode" = ttl ]; then extra=(-r "$KEYSPACE" --ttl "$TTL"); else extra=(-r "$KEYSPACE"); fi
        start_node "$DIST" ""
        bench_csv "$DIST" -t set -n "$WARMUP" -P 16 "${extra[@]}" >/dev/null
        for p in 1 16; do
            ticks=$(node_ticks); lines=$(gc_log_lines); m0=$(machine_ticks); c0=$(client_ticks); t0=$(date +%s%N)
            csv=$(bench_csv "$DIST" -t set -n "$N" -P "$p" "${extra[@]}")
            us=$(us_per_request "$ticks" "$N")
            ns=$(( $(date +%s%N) - t0 )); dn=$(( $(node_ticks) - ticks )); dc=$(( $(client_ticks) - c0 ))
            split="$(cores "$dn" "$ns"),$(cores "$dc" "$ns"),$(cores $(( $(machine_ticks) - m0 - dn - dc )) "$ns")"
            rps=$(echo "$csv" | cut -d, -f2 | tr -d '"'); p99=$(echo "$csv" | cut -d, -f7 | tr -d '"')
            echo "$round $mode $p $rps $p99 $us $(gc_pauses_since "$lines") $(node_rss_kib) $split"
        done
        echo "# $round $mode: storage.expiry.index.entries=$(status_fact storage.expiry.index.entries)" \
            "storage.records=$(status_fact storage.records) ttl.reaped=$(status_fact ttl.reaped)"
        stop_node
    done
done
