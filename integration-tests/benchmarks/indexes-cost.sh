#!/usr/bin/env bash
# What secondary indexes cost (IndexCost.java), on one node:
#   - SETs of ~100-byte JSON values with 0, 1 and 3 indexes defined (json:$.email; then
#     json:$.n as long and json:$.tags[*], two values each): rps, p99, node CPU per SET; a fresh
#     node per count, in the order 0 1 3 then 3 1 0 by round;
#   - then, on a fresh node, RECORDS records, two indexes created while RATE SETs/s of other keys
#     go on (backfill rate), and the latency of exact queries (one row) and of range queries (100
#     rows with their values) through the Java client.
#
#   integration-tests/benchmarks/indexes-cost.sh [--rounds 1] [-n 200000] [--records 1000000] [--rate 5000]
#       [--cluster] [DIST]
#
# --cluster: only the second part, on three nodes at R=3 (`bin/earthwo demo 3`; the nodes' CPU
# summed), the queries through one client that routes each to a node.
set -euo pipefail
. "$(dirname "$0")/common.sh"
here=$(cd "$(dirname "$0")" && pwd)

ROUNDS=1 N=200000 RECORDS=1000000 RATE=5000 CLUSTER="" DIST=distribution/target/earthwo
while [ $# -gt 0 ]; do
    case $1 in
        --rounds) ROUNDS=$2; shift 2 ;;
        -n) N=$2; shift 2 ;;
        --records) RECORDS=$2; shift 2 ;;
        --rate) RATE=$2; shift 2 ;;
        --cluster) CLUSTER=1; shift ;;
        -*) die "unknown option $1" ;;
        *) DIST=$1; shift ;;
    esac
done
cp="$DIST/bundle/earthwo.api.jar:$DIST/bundle/earthwo.client.jar"
for f in "$DIST"/bundle/slf4j-api-*.jar "$DIST"/bundle/slf4j-simple-*.jar; do cp="$cp:$f"; done
java_cost() { java -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp" "$here/IndexCost.java" "$@"; }
run() { java_cost "127.0.0.1:$BENCH_PORT" "$(node_pid)" "$DIST" "$BENCH_DATA" "$@"; }

if [ -n "$CLUSTER" ]; then
    DIST=$(cd "$DIST" && pwd)
    BASE=$((BENCH_PORT + 10)) ZK_PORT=$((BENCH_PORT + 20))
    trap '"$DIST/bin/earthwo" demo stop >/dev/null 2>&1 || true; rm -rf "$DIST/demo"' EXIT INT TERM
    rm -rf "$DIST/demo"
    "$DIST/bin/earthwo" demo 3 --base-port "$BASE" --zk-port "$ZK_PORT" >/dev/null || die "demo 3 did not start"
    seeds="127.0.0.1:$BASE,127.0.0.1:$((BASE + 1)),127.0.0.1:$((BASE + 2))"
    pids="$(cat "$DIST"/demo/n*/earthwo.pid | paste -sd, -)"
    echo "# $(date -u +%FT%TZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); 3 nodes, R=3"
    java_cost "$seeds" "$pids" "$DIST" "$DIST/demo/n1" query "$RECORDS" "$RATE"
    exit 0
fi

echo "# $(date -u +%FT%TZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $N SETs per count after as many warm-up SETs"
for round in $(seq 1 "$ROUNDS"); do
    counts="0 1 3"; [ $((round % 2)) -eq 0 ] && counts="3 1 0"
    for c in $counts; do
        start_node "$DIST" ""
        run write "$N" "$c"
        stop_node
    done
done
start_node "$DIST" ""
run query "$RECORDS" "$RATE"
echo "# node: RSS $(node_rss_kib) KiB; GC pauses $(gc_pauses_since 0)"
stop_node
