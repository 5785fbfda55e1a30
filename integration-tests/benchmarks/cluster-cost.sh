#!/usr/bin/env bash
# What cluster mode costs per request. For one distribution, on this machine:
#   1. one node: SET and GET at -P 1 and -P 16;
#   2. the floor: three independent single nodes, each driven by its own bench -c 17 at the same
#      time (three JVMs on the same cores, no cluster);
#   3. three nodes, R=3 (`bin/earthwo demo 3`): the idle CPU of the nodes at rest, then SET at
#      W=1, quorum and all and GET (routed by the client to a replica), at -P 1 and -P 16.
# Each line: throughput, p99 and the CPU (user+sys) of the node processes, summed, per request.
#
#   integration-tests/benchmarks/cluster-cost.sh [-n 200000] [--only single|floor|cluster] [DIST]
set -euo pipefail
. "$(dirname "$0")/common.sh"

N=200000 ONLY="" DIST=distribution/target/earthwo
while [ $# -gt 0 ]; do
    case $1 in
        -n) N=$2; shift 2 ;;
        --only) ONLY=$2; shift 2 ;;
        -*) die "unknown option $1" ;;
        *) DIST=$1; shift ;;
    esac
done
DIST=$(cd "$DIST" && pwd)
BASE=$((BENCH_PORT + 10))
ZK_PORT=$((BENCH_PORT + 20))
DEMO_STARTED=""
FLOOR_DATA=()

cleanup() {
    stop_node
    for d in ${FLOOR_DATA[@]+"${FLOOR_DATA[@]}"}; do
        "$DIST/bin/earthwo" stop --data "$d" >/dev/null 2>&1 || true
        rm -rf "$d"
    done
    if [ -n "$DEMO_STARTED" ]; then
        "$DIST/bin/earthwo" demo stop >/dev/null 2>&1 || true
        rm -rf "$DIST/demo"
    fi
}
trap cleanup EXIT INT TERM

ticks_of() { local t=0 p; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo "$t"; }
us_per_request() { echo $(( ($2 - $1) * 1000000 / $(getconf CLK_TCK) / $3 )); }

# bench SEEDS ARGS...: the CSV line of one bench run
bench_on() {
    local seeds=$1; shift
    "$DIST/bin/earthwo" -s "$seeds" bench -c 50 -d 100 -r 1000000 "$@" --csv 2>&1 | grep -v '^$' | tail -1
}
# run LABEL SEEDS PIDS(space separated) ARGS...: one measured line
run() {
    local label=$1 seeds=$2 pids=$3; shift 3
    local t0 csv t1
    # shellcheck disable=SC2086
    t0=$(ticks_of $pids)
    csv=$(bench_on "$seeds" -n "$N" "$@")
    # shellcheck disable=SC2086
    t1=$(ticks_of $pids)
    printf '%-28s %10s rps  p99 %8s ms  %5s us/req\n' "$label" "$(echo "$csv" | cut -d, -f2 | tr -d '"')" \
        "$(echo "$csv" | cut -d, -f7 | tr -d '"')" "$(us_per_request "$t0" "$t1" "$N")"
}

echo "# $(date -u +%FT%TZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $N requests per line, -c 50 -d 100 -r 1000000"

if [ -z "$ONLY" ] || [ "$ONLY" = single ]; then
    start_node "$DIST" ""
    seeds="127.0.0.1:$BENCH_PORT"
    bench_on "$seeds" -t set,get -n "$N" -P 16 >/dev/null
    for p in 1 16; do
        run "single  SET -P $p" "$seeds" "$(node_pid)" -t set -P "$p"
        run "single  GET -P $p" "$seeds" "$(node_pid)" -t get -P "$p"
    done
    stop_node
fi

if [ -z "$ONLY" ] || [ "$ONLY" = floor ]; then
    pids=()
    for i in 1 2 3; do
        d="$BENCH_DATA-floor$i"; rm -rf "$d"; FLOOR_DATA+=("$d")
        "$DIST/bin/earthwo" start --data "$d" --port $((BASE + i)) >/dev/null || die "floor node $i did not start"
        pids+=("$(cat "$d/earthwo.pid")")
    done
    for test in set get; do
        for p in 1 16; do
            for i in 1 2 3; do bench_on "127.0.0.1:$((BASE + i))" -t "$test" -n "$N" -P "$p" -c 17 >/dev/null & done; wait
            t0=$(ticks_of "${pids[@]}")
            for i in 1 2 3; do bench_on "127.0.0.1:$((BASE + i))" -t "$test" -n "$N" -P "$p" -c 17 > "$BENCH_DATA-floor$i.csv" & done; wait
            t1=$(ticks_of "${pids[@]}")
            rps=$(cat "$BENCH_DATA"-floor[123].csv | cut -d, -f2 | tr -d '"' | awk '{s += $1} END {printf "%.0f", s}')
            printf '%-28s %10s rps  %18s  %5s us/req\n' "floor   ${test^^} -P $p (3x1)" "$rps" "" "$(us_per_request "$t0" "$t1" $((3 * N)))"
        done
    done
    for d in "${FLOOR_DATA[@]}"; do "$DIST/bin/earthwo" stop --data "$d" >/dev/null 2>&1 || true; rm -rf "$d" "$d.csv"; done
    FLOOR_DATA=()
fi

if [ -z "$ONLY" ] || [ "$ONLY" = cluster ]; then
    rm -rf "$DIST/demo"
    DEMO_STARTED=1
    "$DIST/bin/earthwo" demo 3 --base-port "$BASE" --zk-port "$ZK_PORT" >/dev/null || die "demo 3 did not start"
    seeds="127.0.0.1:$BASE,127.0.0.1:$((BASE + 1)),127.0.0.1:$((BASE + 2))"
    pids="$(cat "$DIST"/demo/n*/earthwo.pid | tr '\n' ' ')"
    # The cluster at rest, before any load: what cluster mode costs with nothing to do.
    sleep 20 # past the start's JIT compilation and first anti-entropy passes
    # shellcheck disable=SC2086
    t0=$(ticks_of $pids); sleep 10
    # shellcheck disable=SC2086
    t1=$(ticks_of $pids)
    printf '%-28s %s %% of a core (3 nodes, summed)\n' "cluster idle" "$(( (t1 - t0) * 100 / $(getconf CLK_TCK) / 10 ))"
    bench_on "$seeds" -t set,get -n "$N" -P 16 --w all >/dev/null    # warm-up, and every replica written
    for p in 1 16; do
        for w in 1 quorum all; do
            run "cluster SET -P $p W=$w" "$seeds" "$pids" -t set -P "$p" --w "$w"
        done
        run "cluster GET -P $p" "$seeds" "$pids" -t get -P "$p"
    done
    # What the nodes did besides answering: reads that asked other replicas, writes forwarded.
    for n in 1 2 3; do
        "$DIST/bin/earthwo" exec --data "$DIST/demo/n$n" node:status 2>/dev/null \
            | grep -E '^kv\.(reads\.asked\.replicas|forwarded|replica\.applies) ' | tr '\n' ' ' | sed "s/^/n$n: /"
        echo
    done
fi
