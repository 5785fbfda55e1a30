#!/usr/bin/env python3
"""The comparison against Redis from the output of vs-redis.sh: one line per (-P, pass, test,
Earthwo candidate) with the median throughput and p99 over the rounds, and the candidate's ratios
against the reference (GET: Redis without persistence; SET: Redis with appendfsync everysec).

    integration-tests/benchmarks/vs-redis.sh > out.txt; integration-tests/benchmarks/vs-redis-table.py out.txt
"""
import re
import statistics
import sys
from collections import defaultdict

HEADER = re.compile(r'== (\S+) -P (\d+)(?: pass (\d))?')


def parse(path):
    runs = defaultdict(list)  # (server, P, pass, test) -> [(rps, p99)]
    current = None
    for line in open(path):
        m = HEADER.match(line)
        if m:
            current = (m.group(1), int(m.group(2)), int(m.group(3) or 1))
            continue
        fields = line.strip().split(',')
        if current and len(fields) == 8 and fields[0] in ('"SET"', '"GET"'):
            # redis-benchmark --csv columns: test, rps, avg, min, p50, p95, p99, max
            values = [float(f.strip('"')) for f in fields[1:]]
            runs[current + (fields[0].strip('"'),)].append((values[0], values[5]))
    return runs


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    runs = parse(sys.argv[1])
    reference = {'GET': 'redis', 'SET': 'redis-aof'}
    candidates = sorted({k[0] for k in runs if k[0].startswith('Earthwo')})
    print('-P  pass test  Earthwo rps  reference rps  ratio   Earthwo p99  reference p99  p99 ratio  (candidate, reference)')
    for p, pass_, test in sorted({(k[1], k[2], k[3]) for k in runs}):
        for candidate in candidates:
            row(runs, candidate, p, pass_, test, reference[test])


def row(runs, candidate, p, pass_, test, reference):
    """Prints the candidate's medians and ratios, if both it and the reference ran."""
    ours = runs.get((candidate, p, pass_, test))
    ref = runs.get((reference, p, pass_, test))
    if ours and ref:
        rps = statistics.median(r for r, _ in ours)
        ref_rps = statistics.median(r for r, _ in ref)
        p99 = statistics.median(q for _, q in ours)
        ref_p99 = statistics.median(q for _, q in ref)
        print(f'{p:<3} {pass_:<4} {test:<4} {rps:>11,.0f}  {ref_rps:>13,.0f}  {rps / ref_rps:>5.2f}x  {p99:>9.2f}ms  {ref_p99:>11.2f}ms  '
              f'{p99 / ref_p99:>8.2f}x  ({candidate}, {reference}, {len(ours)} and {len(ref)} runs)')


if __name__ == '__main__':
    main()
