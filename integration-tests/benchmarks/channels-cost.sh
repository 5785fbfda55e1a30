#!/usr/bin/env bash
# What channels (publish/subscribe) cost, against Redis's PUBLISH/SUBSCRIBE (ChannelBench.java):
# P publisher connections publish N messages of 100 bytes on one channel, at most INFLIGHT
# unanswered each, and S subscribers of that channel receive every one (all in one JVM, so a
# message's send time in nanoTime gives its end-to-end latency). Every subscription is ready before
# the first publish; a warm-up of BENCH_WARMUP messages goes first, the same way. Per run:
# published msgs/s, delivered msgs/s (all subscribers' messages over first publish to last
# delivery), latency p50/p99/p99.9/max, and the server's CPU (user + sys) per delivered message.
# The modes, each on a fresh server:
#   single   one Earthwo node (start_node), publishers and subscribers on it;
#   redis    redis-server on 127.0.0.1 without persistence, the same driver speaking RESP
#            (pipelined PUBLISH with the same in-flight bound, SUBSCRIBE pushes);
#   cluster  three Earthwo nodes (`bin/earthwo demo 3`), publishers on node 1, subscribers split
#            over nodes 2 and 3; the nodes' CPU summed (ZooKeeper's not counted).
# Then the ratio Earthwo/Redis of delivered msgs/s per round (the target: >= 0.7 on one node).
# Publishers are not held back by subscribers (neither server does that), so the latencies are
# those at the highest rate the in-flight bound allows, queueing included; the driver's own CPU
# (driver_cores) shares the machine's cores with the server. A subscriber that falls behind by
# more than its node buffer (10,000 messages by default) is cut off as SLOW_CONSUMER, and Redis
# drops one past its client-output-buffer-limit: the run then ends as INCOMPLETE, with the reason.
#
#   integration-tests/benchmarks/channels-cost.sh [--rounds 1] [--modes "single redis cluster"] [DIST]
#
# Environment: BENCH_MESSAGES (500000), BENCH_WARMUP (200000), BENCH_PUBLISHERS (4),
# BENCH_SUBSCRIBERS (4), BENCH_INFLIGHT (64 per publisher), BENCH_SIZE (100 bytes),
# BENCH_SUB_BUFFER (0: the node's default subscription buffer, earthwo.channels.buffer),
# BENCH_STALL (15 s without a delivery ends a run as INCOMPLETE), BENCH_REDIS_PORT (6392).
# Modes alternate their order by round. Try the script with small counts, e.g.
# BENCH_MESSAGES=20000 BENCH_WARMUP=5000.
set -euo pipefail
. "$(dirname "$0")/common.sh"
here=$(cd "$(dirname "$0")" && pwd)

ROUNDS=1 MODES="single redis cluster" DIST=distribution/target/earthwo
while [ $# -gt 0 ]; do
    case $1 in
        --rounds) ROUNDS=$2; shift 2 ;;
        --modes) MODES=$2; shift 2 ;;
        -*) die "unknown option $1" ;;
        *) DIST=$1; shift ;;
    esac
done
[ -x "$DIST/bin/earthwo" ] || die "no distribution in $DIST (build it first)"
DIST=$(cd "$DIST" && pwd)
case " $MODES " in
    *" redis "*) for tool in redis-server redis-cli; do
                     command -v $tool >/dev/null || die "$tool is not installed (Debian: apt-get install redis-server redis-tools)"
                 done ;;
esac

SETTINGS=(n="${BENCH_MESSAGES:-500000}" warmup="${BENCH_WARMUP:-200000}" p="${BENCH_PUBLISHERS:-4}"
          s="${BENCH_SUBSCRIBERS:-4}" inflight="${BENCH_INFLIGHT:-64}" size="${BENCH_SIZE:-100}"
          buffer="${BENCH_SUB_BUFFER:-0}" stall="${BENCH_STALL:-15}" hz="$(getconf CLK_TCK)")
cp="$DIST/bundle/earthwo.api.jar:$DIST/bundle/earthwo.client.jar"
for f in "$DIST"/bundle/slf4j-api-*.jar "$DIST"/bundle/slf4j-simple-*.jar; do cp="$cp:$f"; done
# bench OUT MODE LABEL PUB SUBS PIDS: the driver's line, also in file OUT. A run that did not
# complete is reported and the script goes on (exit code 1 at the end). The driver runs in the
# background so that a signal to this script stops it at once (stop_driver).
FAILED=0 DRIVER_PID=""
bench() {
    local out=$1 rc=0; shift
    java -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp" "$here/ChannelBench.java" "$@" "${SETTINGS[@]}" \
        > "$out" 2>&1 &
    DRIVER_PID=$!
    wait "$DRIVER_PID" || rc=$?
    DRIVER_PID=""
    cat "$out"
    [ "$rc" -eq 0 ] || FAILED=1
}
stop_driver() {
    if [ -n "$DRIVER_PID" ]; then
        kill "$DRIVER_PID" 2>/dev/null || true
        wait "$DRIVER_PID" 2>/dev/null || true
        DRIVER_PID=""
    fi
}

REDIS_PORT=${BENCH_REDIS_PORT:-6392} REDIS_DIR=/tmp/earthwo-bench-redis REDIS_UP=""
stop_redis() {
    if [ -n "$REDIS_UP" ]; then
        redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 \
            || kill "$(cat "$REDIS_DIR/redis.pid" 2>/dev/null)" 2>/dev/null || true
        REDIS_UP=""
        rm -rf "$REDIS_DIR"
    fi
}
DEMO_UP=""
stop_demo() {
    if [ -n "$DEMO_UP" ]; then
        "$DIST/bin/earthwo" demo stop >/dev/null 2>&1 || true
        rm -rf "$DIST/demo"
        DEMO_UP=""
    fi
}
# The delivered msgs/s of the complete run in file $1 (nothing if it did not complete).
delivered() { grep -v INCOMPLETE "$1" | grep -o 'delivered_per_s=[0-9]*' | tail -1 | cut -d= -f2; }

run_single() {
    start_node "$DIST" ""
    local lines; lines=$(gc_log_lines)
    bench "$OUT/single" earthwo earthwo-1-node "127.0.0.1:$BENCH_PORT" "127.0.0.1:$BENCH_PORT" "$(node_pid)"
    echo "# node: $("$DIST/bin/earthwo" exec --data "$BENCH_DATA" channel:list | tr -s '\n' ' ')"
    echo "# node: RSS $(node_rss_kib) KiB; $(gc_pauses_since "$lines")"
    stop_node
}

run_redis() {
    rm -rf "$REDIS_DIR"; mkdir -p "$REDIS_DIR"
    REDIS_UP=1
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
        --dir "$REDIS_DIR" --pidfile "$REDIS_DIR/redis.pid" --logfile "$REDIS_DIR/redis.log" \
        || die "redis-server did not start"
    local deadline=$((SECONDS + 10))
    until redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && [ -s "$REDIS_DIR/redis.pid" ]; do
        [ $SECONDS -lt $deadline ] || die "redis-server on $REDIS_PORT did not answer"
        sleep 0.1
    done
    bench "$OUT/redis" redis redis "127.0.0.1:$REDIS_PORT" - "$(cat "$REDIS_DIR/redis.pid")"
    echo "# redis: RSS $(ps -o rss= -p "$(cat "$REDIS_DIR/redis.pid")" | tr -d ' ') KiB"
    stop_redis
}

run_cluster() {
    local base=$((BENCH_PORT + 10)) zk=$((BENCH_PORT + 20)) d
    [ ! -e "$DIST/demo" ] || die "$DIST/demo exists: another demo? (stop it with bin/earthwo demo stop, remove the folder)"
    DEMO_UP=1
    "$DIST/bin/earthwo" demo 3 --base-port "$base" --zk-port "$zk" >/dev/null || die "demo 3 did not start"
    bench "$OUT/cluster" earthwo earthwo-3-nodes "127.0.0.1:$base" "127.0.0.1:$((base + 1)),127.0.0.1:$((base + 2))" \
        "$(cat "$DIST"/demo/n*/earthwo.pid | paste -sd, -)"
    for d in 1 2 3; do
        echo "# n$d: $("$DIST/bin/earthwo" exec --data "$DIST/demo/n$d" channel:list | tr -s '\n' ' ')"
    done
    stop_demo
}

OUT=$(mktemp -d /tmp/earthwo-channels-cost.XXXXXX)
trap 'stop_driver; stop_node; stop_redis; stop_demo; rm -rf "$OUT"' EXIT
trap 'exit 130' INT TERM
echo "# $(date -u +%FT%TZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); ${SETTINGS[*]}"
for round in $(seq 1 "$ROUNDS"); do
    modes=$MODES
    if [ $((round % 2)) -eq 0 ]; then modes=$(echo "$MODES" | tr ' ' '\n' | tac | tr '\n' ' '); fi
    rm -f "$OUT"/*
    for mode in $modes; do
        echo "== round $round $mode"
        case $mode in
            single) run_single ;;
            redis) run_redis ;;
            cluster) run_cluster ;;
            *) die "unknown mode $mode" ;;
        esac
    done
    redis=$( [ -f "$OUT/redis" ] && delivered "$OUT/redis" || true)
    for mode in single cluster; do
        e=$( [ -f "$OUT/$mode" ] && delivered "$OUT/$mode" || true)
        if [ -n "$redis" ] && [ -n "$e" ] && [ "$redis" -gt 0 ]; then
            echo "round $round ratio $mode/redis delivered_per_s $(awk -v a="$e" -v b="$redis" 'BEGIN {printf "%.2f", a / b}')"
        fi
    done
done
exit $FAILED
