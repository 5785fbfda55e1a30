#!/usr/bin/env bash
# What TLS costs a node: one fresh node without TLS and one with (a certificate from a throwaway
# authority made with openssl), both driven through the Java client (`bench --java-client`, the
# one load driver that speaks TLS), SET then GET at -P 1 and -P 16. Prints throughput, p99 and the
# node's CPU per request for each. Alternate with --rounds: runs of one setting differ by up to
# 25 % on a small shared machine.
#
#   integration-tests/benchmarks/tls-cost.sh [--rounds 2] [-n 200000] [DIST]
set -euo pipefail
. "$(dirname "$0")/common.sh"

ROUNDS=2 N=200000 DIST=distribution/target/earthwo
while [ $# -gt 0 ]; do
    case $1 in
        --rounds) ROUNDS=$2; shift 2 ;;
        -n) N=$2; shift 2 ;;
        -*) die "unknown option $1" ;;
        *) DIST=$1; shift ;;
    esac
done
command -v openssl >/dev/null || die "needs openssl to make the test certificates"

CERTS=$(mktemp -d)
cleanup() { stop_node; rm -rf "$CERTS"; }
trap cleanup EXIT INT TERM
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=bench-ca \
    -keyout "$CERTS/ca.key" -out "$CERTS/ca.pem" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=bench-node \
    -keyout "$CERTS/node.key" -out "$CERTS/node.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\n' > "$CERTS/san.ext"
openssl x509 -req -in "$CERTS/node.csr" -CA "$CERTS/ca.pem" -CAkey "$CERTS/ca.key" -CAcreateserial -days 1 \
    -extfile "$CERTS/san.ext" -out "$CERTS/node.pem" 2>/dev/null
chmod 600 "$CERTS/node.key"

start_tls_node() {
    rm -rf "$BENCH_DATA"
    "$DIST/bin/earthwo" start --data "$BENCH_DATA" --port "$BENCH_PORT" --tls-cert "$CERTS/node.pem" \
        --tls-key "$CERTS/node.key" --tls-ca "$CERTS/ca.pem" >/dev/null || die "TLS node did not start"
    STARTED_DIST=$DIST
}

echo "# $(date -u +%FT%TZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $N per test after a warm-up; --java-client"
echo "# round transport -P test rps p99_ms node_us_per_request"
for round in $(seq 1 "$ROUNDS"); do
    for transport in plain tls; do
        if [ "$transport" = tls ]; then start_tls_node; extra=(--tls-ca "$CERTS/ca.pem"); else start_node "$DIST" ""; extra=(); fi
        bench_csv "$DIST" "${extra[@]}" --java-client -t set,get -n "$N" -P 16 >/dev/null
        for p in 1 16; do
            for test in set get; do
                ticks=$(node_ticks)
                csv=$(bench_csv "$DIST" "${extra[@]}" --java-client -t "$test" -n "$N" -P "$p")
                us=$(node_us_per_request "$ticks" "$N")
                echo "$round $transport $p $test $(echo "$csv" | cut -d, -f2 | tr -d '"') $(echo "$csv" | cut -d, -f7 | tr -d '"') $us"
            done
        done
        stop_node
    done
done
