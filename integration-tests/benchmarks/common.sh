# Shared by the benchmark scripts (sourced, not run). A node under test always gets a fresh data
# directory and is stopped on exit, also when the script fails or is interrupted.

BENCH_PORT=${BENCH_PORT:-7390}
BENCH_DATA=${BENCH_DATA:-/tmp/earthwo-bench}
STARTED_DIST=

die() { echo "$(basename "$0"): $*" >&2; exit 2; }

# Starts a fresh node of distribution $1 on 127.0.0.1:$BENCH_PORT with JVM options $2 (may be
# empty) plus a GC log in the data directory.
start_node() {
    local dist=$1 opts=$2
    rm -rf "$BENCH_DATA"
    EARTHWO_OPTS="$opts -Xlog:gc:file=$BENCH_DATA/gc.log" \
        "$dist/bin/earthwo" start --data "$BENCH_DATA" --port "$BENCH_PORT" >/dev/null \
        || die "node of $dist did not start (log: $BENCH_DATA/earthwo.log)"
    STARTED_DIST=$dist
}

stop_node() {
    if [ -n "$STARTED_DIST" ]; then
        "$STARTED_DIST/bin/earthwo" stop --data "$BENCH_DATA" >/dev/null 2>&1 || true
        STARTED_DIST=
    fi
}
trap stop_node EXIT INT TERM

node_pid() { cat "$BENCH_DATA/earthwo.pid"; }

# CPU time (user + system) the node has used so far, in clock ticks.
node_ticks() { awk '{print $14 + $15}' "/proc/$(node_pid)/stat"; }

# Microseconds of node CPU per request since node_ticks printed $1, over $2 requests.
node_us_per_request() { echo $(( ($(node_ticks) - $1) * 1000000 / $(getconf CLK_TCK) / $2 )); }

node_rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$(node_pid)/status"; }

# `bench` of distribution $1 against the node, remaining arguments passed on; prints its CSV line.
bench_csv() {
    local dist=$1; shift
    "$dist/bin/earthwo" -s "127.0.0.1:$BENCH_PORT" bench -c 50 -d 100 -r 1000000 "$@" --csv 2>&1 \
        | grep -v '^$' | tail -1
}

# GC pauses logged after line $1 of the node's GC log: count, sum and longest.
gc_pauses_since() {
    tail -n +"$(( $1 + 1 ))" "$BENCH_DATA/gc.log" | grep -o 'Pause.* [0-9.]*ms$' \
        | awk '{v = $NF; sub("ms", "", v); n++; s += v; if (v > m) m = v}
               END {printf "gc_pauses=%d gc_ms=%.0f gc_max_ms=%.0f", n, s, m}'
}

gc_log_lines() { wc -l < "$BENCH_DATA/gc.log"; }
