#!/usr/bin/env bash
# Earthwo against redis-server without persistence and with
# `appendonly yes` + `appendfsync everysec`, same machine, same workload (50 connections,
# 100-byte values, keys from 1,000,000, 1,000,000 requests per test), without and with
# pipelining 16. Two interleaved rounds (the second in reverse order); every server starts
# fresh and empty and listens on 127.0.0.1 only. Each started server is measured twice in a
# row: pass 1 is a fresh server (for Earthwo, its JIT compiler's first
# minute: ~10 s of C2 CPU on these 2 cores); pass 2 repeats the same tests on the same server,
# its keys now present, which is how a long-running server is measured (BENCHMARKS.md,
# "Single node against Redis").
# Prints each tool's CSV lines per pass and the server's RSS after the second.
#
#   integration-tests/benchmarks/vs-redis.sh [DIST[=JVM OPTIONS] ...]   (default distribution/target/earthwo)
#
# Several Earthwo candidates (builds, or one build with other JVM options) are measured in the
# same rounds as Earthwo-1, Earthwo-2, ... (named in the output's first lines). BENCH_PIPELINES
# chooses the -P values (default "1 16").
set -euo pipefail
. "$(dirname "$0")/common.sh"

CANDIDATES=("$@")
[ ${#CANDIDATES[@]} -gt 0 ] || CANDIDATES=("$(dirname "$0")/../../distribution/target/earthwo")
REQUESTS=${BENCH_REQUESTS:-1000000}   # per test; fewer only to try the script
PIPELINES=${BENCH_PIPELINES:-1 16}
for tool in redis-server redis-benchmark redis-cli; do
    command -v $tool >/dev/null || die "$tool is not installed (Debian: apt-get install redis-server redis-tools)"
done
REDIS_PORT=
stop_redis() {
    if [ -n "$REDIS_PORT" ]; then
        redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
        REDIS_PORT=
    fi
}
trap 'stop_node; stop_redis' EXIT INT TERM

# The name of candidate $1 (0-based) in the output.
candidate_name() { [ ${#CANDIDATES[@]} -eq 1 ] && echo Earthwo || echo "Earthwo-$(($1 + 1))"; }

earthwo() {   # P: every candidate in turn
    local i spec dist opts
    for i in "${!CANDIDATES[@]}"; do
        spec=${CANDIDATES[$i]} dist=${spec%%=*} opts=
        [ "$dist" = "$spec" ] || opts=${spec#*=}
        start_node "$dist" "$opts"
        for pass in 1 2; do
            echo "== $(candidate_name "$i") -P $1 pass $pass"
            "$dist/bin/earthwo" -s "127.0.0.1:$BENCH_PORT" bench -t set,get -n "$REQUESTS" -r 1000000 -c 50 -d 100 -P "$1" --csv
        done
        echo "rss_kib $(node_rss_kib)"
        stop_node
    done
}

redis() {     # P NAME PORT redis-server options...
    local p=$1 name=$2 port=$3 dir=/tmp/earthwo-bench-$2; shift 3
    rm -rf "$dir"; mkdir -p "$dir"
    redis-server --port "$port" --bind 127.0.0.1 --save '' "$@" --daemonize yes --dir "$dir" \
        --pidfile "$dir/redis.pid"
    REDIS_PORT=$port
    local deadline=$((SECONDS + 10))
    until redis-cli -p "$port" ping >/dev/null 2>&1; do
        [ $SECONDS -lt $deadline ] || die "redis-server on $port did not answer"
        sleep 0.1
    done
    for pass in 1 2; do
        echo "== $name -P $p pass $pass"
        redis-benchmark -h 127.0.0.1 -p "$port" -t set,get -n "$REQUESTS" -r 1000000 -c 50 -d 100 -P "$p" --csv
    done
    echo "rss_kib $(ps -o rss= -p "$(cat "$dir/redis.pid")")"
    stop_redis
}

echo "# $(date -u +%FT%TZ) $(nproc) cores, $(redis-server --version | cut -d' ' -f1-3)"
for i in "${!CANDIDATES[@]}"; do
    echo "# $(candidate_name "$i"): ${CANDIDATES[$i]}"
done
for P in $PIPELINES; do
    earthwo $P
    redis $P redis 6390 --appendonly no
    redis $P redis-aof 6391 --appendonly yes --appendfsync everysec
done
for P in $PIPELINES; do
    redis $P redis-aof 6391 --appendonly yes --appendfsync everysec
    redis $P redis 6390 --appendonly no
    earthwo $P
done
