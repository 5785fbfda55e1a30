#!/usr/bin/env bash
# Reaping under load (ReapUnderLoad.java): one fresh node; 1,000,000 keys with 100-byte values
# whose expiries fall evenly within one 10 s window starting at T0 (after the load is done); a
# steady SET load of other keys at 10,000/s from 10 s before T0 until the expiry index is empty
# (and 5 s more); the node's STATUS sampled every 250 ms. Prints a per-second timeline and a
# summary: reaper lag p50/p99, the time from the last expiry until storage.expiry.index.entries
# = 0, SET throughput and latency of the steady load before T0 and during the reaping, and the
# node's CPU.
#
#   integration-tests/benchmarks/reap-under-load.sh [--opts "JVM options of the node"] [DIST] [-- ReapUnderLoad options]
#
# ReapUnderLoad options (see its javadoc): --keys --window-ms --t0-after-s --lead-s --rate --value
# --sample-ms --after-s --max-s --load-clients --load-inflight --max-inflight. The reaper's
# settings go in as node options, e.g. --opts "-Dearthwo.ttl.reap.inflight=1024".
set -euo pipefail
. "$(dirname "$0")/common.sh"
here=$(cd "$(dirname "$0")" && pwd)

DIST=distribution/target/earthwo OPTS=""
while [ $# -gt 0 ]; do
    case $1 in
        --opts) OPTS=$2; shift 2 ;;
        --) shift; break ;;
        -*) die "unknown option $1" ;;
        *) DIST=$1; shift ;;
    esac
done
cp="$DIST/bundle/earthwo.api.jar:$DIST/bundle/earthwo.client.jar"
for f in "$DIST"/bundle/slf4j-api-*.jar "$DIST"/bundle/slf4j-simple-*.jar; do cp="$cp:$f"; done

echo "# $(date -u +%FT%TZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); node options [$OPTS]"
start_node "$DIST" "$OPTS"
grep -h 'reaper of expired keys started' "$BENCH_DATA"/*.log 2>/dev/null | tail -1 | sed 's/^/# /' || true
java -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp" "$here/ReapUnderLoad.java" \
    "127.0.0.1:$BENCH_PORT" "$(node_pid)" --clk-tck "$(getconf CLK_TCK)" "$@"
echo "# node: RSS $(node_rss_kib) KiB; GC pauses $(gc_pauses_since 0)"
stop_node
