#!/usr/bin/env bash
# What hooks cost a SET, on one node, `bench -t set` at -P 1 and -P 16 in four modes:
#   off      no hook: the outbox is off (as in a cluster that never had a hook)
#   outbox   the outbox on from the start (earthwo.storage.outbox.enabled=true) but no hook
#   hook     the example hook in deploy/ (it switches the outbox on; events appended to a file)
#   webhook  the built-in webhook (deploy/earthwo.hooks.webhook-bench.cfg) posting to a local
#            HTTP server that answers 200 (python3, on this machine too)
# Prints throughput, p99 and the node's CPU per request for each; for hook and webhook then a run
# paced at --rate (default 10,000 SET/s) and the hook's delivery lag p50/p99 over its last
# 10,000 events (the settle time, 500 ms, is part of it).
#
#   integration-tests/benchmarks/hooks-cost.sh [--rounds 1] [-n 300000] [--warmup 300000]
#       [--rate 10000] [--modes "off outbox hook webhook"] [DIST]
#
# The example hook jar comes from bundles/earthwo.example.hook/target (build it first). Each mode
# gets a fresh node with a deploy/ of its own; modes alternate their order by round. Runs of one
# mode differ by up to 25 % on a small shared machine.
set -euo pipefail
. "$(dirname "$0")/common.sh"

ROUNDS=1 N=300000 WARMUP=300000 RATE=10000 MODES="off outbox hook webhook" DIST=distribution/target/earthwo
HOOK_JAR=$(ls bundles/earthwo.example.hook/target/earthwo.example.hook-*.jar 2>/dev/null | grep -v tests | head -1 || true)
while [ $# -gt 0 ]; do
    case $1 in
        --rounds) ROUNDS=$2; shift 2 ;;
        -n) N=$2; shift 2 ;;
        --warmup) WARMUP=$2; shift 2 ;;
        --rate) RATE=$2; shift 2 ;;
        --modes) MODES=$2; shift 2 ;;
        -*) die "unknown option $1" ;;
        *) DIST=$1; shift ;;
    esac
done
[ -n "$HOOK_JAR" ] || die "no example hook jar in bundles/earthwo.example.hook/target: build it first"
command -v python3 >/dev/null || die "python3 is needed for the webhook's HTTP server"

status_fact() {
    "$DIST/bin/earthwo" exec --data "$BENCH_DATA" node:status | awk -v k="$1" '$1 == k {print $3}'
}

DEPLOY=$(mktemp -d /tmp/earthwo-hooks-deploy.XXXXXX)
SINK_PID=
stop_sink() { if [ -n "$SINK_PID" ]; then kill "$SINK_PID" 2>/dev/null || true; wait "$SINK_PID" 2>/dev/null || true; SINK_PID=; fi; }
trap 'stop_node; stop_sink; rm -rf "$DEPLOY" "$DEPLOY.sink-port"' EXIT INT TERM

# A local HTTP server answering 200 to every POST (the webhook's receiver); its port goes to
# $SINK_PORT_FILE. (Not run in a command substitution: SINK_PID must be this shell's.)
SINK_PORT_FILE=$DEPLOY.sink-port
start_sink() {
    local portfile=$SINK_PORT_FILE
    rm -f "$portfile"
    python3 - "$portfile" <<'EOF' &
import sys, http.server
class Sink(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get('Content-Length', 0)))
        self.send_response(200); self.send_header('Content-Length', '0'); self.end_headers()
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Sink)
open(sys.argv[1], 'w').write(str(server.server_address[1]))
server.serve_forever()
EOF
    SINK_PID=$!
    for _ in $(seq 1 50); do [ -s "$portfile" ] && break; sleep 0.1; done
    [ -s "$portfile" ] || die "the webhook's HTTP server did not start"
}

echo "# $(date -u +%FT%TZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); SET, $N per test after $WARMUP warm-up SETs"
echo "# round mode -P rps p99_ms node_us_per_request gc rss_kib"
for round in $(seq 1 "$ROUNDS"); do
    modes=$MODES
    if [ $((round % 2)) -eq 0 ]; then modes=$(echo "$MODES" | tr ' ' '\n' | tac | tr '\n' ' '); fi
    for mode in $modes; do
        rm -rf "${DEPLOY:?}"/*
        opts="" hook=""
        case $mode in
            off) ;;
            outbox) opts="-Dearthwo.storage.outbox.enabled=true" ;;
            hook) cp "$HOOK_JAR" "$DEPLOY/"; hook=example ;;
            webhook) start_sink; port=$(cat "$SINK_PORT_FILE"); hook=bench
                printf 'name=bench\nurl=http://127.0.0.1:%s/events\n' "$port" > "$DEPLOY/earthwo.hooks.webhook-bench.cfg" ;;
            *) die "unknown mode $mode" ;;
        esac
        EARTHWO_DEPLOY=$DEPLOY start_node "$DIST" "$opts"
        if [ -n "$hook" ]; then
            for _ in $(seq 1 100); do [ "$(status_fact "hooks.$hook.state")" = active ] && break; sleep 0.2; done
            [ "$(status_fact "hooks.$hook.state")" = active ] || die "hook $hook did not become active"
        fi
        bench_csv "$DIST" -t set -n "$WARMUP" -P 16 >/dev/null
        for p in 1 16; do
            ticks=$(node_ticks); lines=$(gc_log_lines)
            csv=$(bench_csv "$DIST" -t set -n "$N" -P "$p")
            us=$(node_us_per_request "$ticks" "$N")
            rps=$(echo "$csv" | cut -d, -f2 | tr -d '"'); p99=$(echo "$csv" | cut -d, -f7 | tr -d '"')
            echo "$round $mode $p $rps $p99 $us $(gc_pauses_since "$lines") $(node_rss_kib)"
        done
        if [ -n "$hook" ]; then
            # Paced: 20 s at the rate, then the lag of the last 10,000 events delivered.
            csv=$(bench_csv "$DIST" -t set -n $((RATE * 20)) -P 16 --rate "$RATE")
            for _ in $(seq 1 50); do [ "$(status_fact "hooks.$hook.pending")" = 0 ] && break; sleep 0.2; done
            echo "# $round $mode at --rate $RATE: rps $(echo "$csv" | cut -d, -f2 | tr -d '"')," \
                "lag p50 $(status_fact "hooks.$hook.lag.p50.ms") ms, p99 $(status_fact "hooks.$hook.lag.p99.ms") ms," \
                "delivered $(status_fact "hooks.$hook.delivered"), failed $(status_fact "hooks.$hook.failed")"
        fi
        echo "# $round $mode: storage.outbox.enabled=$(status_fact storage.outbox.enabled)" \
            "storage.outbox.events=$(status_fact storage.outbox.events)"
        stop_node
        stop_sink
    done
done
