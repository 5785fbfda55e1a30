package earthwo.cli.internal;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;

/**
 * The measurements of one bench test and their rendering in redis-benchmark 7's formats.
 * Latencies are per request, from send to completion, in microseconds; percentiles are read
 * from the sorted array (the value at rank ceil(p·n)), as exact as the microsecond clock.
 */
final class BenchResult {

    static final String CSV_HEADER = "\"test\",\"rps\",\"avg_latency_ms\",\"min_latency_ms\",\"p50_latency_ms\","
            + "\"p95_latency_ms\",\"p99_latency_ms\",\"max_latency_ms\"";

    final String title;
    final long requests;
    final long elapsedNanos;
    final long errors;
    private final int[] sortedMicros;

    BenchResult(String title, int[] latenciesMicros, long elapsedNanos, long errors) {
        this.title = title;
        this.sortedMicros = latenciesMicros.clone();
        Arrays.sort(this.sortedMicros);
        this.requests = latenciesMicros.length;
        this.elapsedNanos = Math.max(1, elapsedNanos);
        this.errors = errors;
    }

    double rps() {
        return requests / (elapsedNanos / 1e9);
    }

    /** Percentile in milliseconds (p in 0..100). */
    double percentileMs(double p) {
        if (sortedMicros.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p / 100.0 * sortedMicros.length);
        int idx = Math.min(sortedMicros.length - 1, Math.max(0, rank - 1));
        return sortedMicros[idx] / 1000.0;
    }

    double avgMs() {
        if (sortedMicros.length == 0) {
            return 0;
        }
        long sum = 0;
        for (int v : sortedMicros) {
            sum += v;
        }
        return sum / 1000.0 / sortedMicros.length;
    }

    double minMs() {
        return sortedMicros.length == 0 ? 0 : sortedMicros[0] / 1000.0;
    }

    double maxMs() {
        return sortedMicros.length == 0 ? 0 : sortedMicros[sortedMicros.length - 1] / 1000.0;
    }

    /** redis-benchmark -q: {@code SET: 123456.78 requests per second, p50=0.239 msec}. */
    String quietLine() {
        return String.format(Locale.ROOT, "%s: %.2f requests per second, p50=%.3f msec", title, rps(), percentileMs(50));
    }

    /** One row of redis-benchmark --csv (after {@link #CSV_HEADER}). */
    String csvLine() {
        return String.format(Locale.ROOT, "\"%s\",\"%.2f\",\"%.3f\",\"%.3f\",\"%.3f\",\"%.3f\",\"%.3f\",\"%.3f\"",
                title, rps(), avgMs(), minMs(), percentileMs(50), percentileMs(95), percentileMs(99), maxMs());
    }

    /** The default report: redis-benchmark's header and "Summary" section (no per-percentile table). */
    void printSummary(PrintStream out, int clients, int dataSize, int pipeline) {
        out.printf(Locale.ROOT, "====== %s ======%n", title);
        out.printf(Locale.ROOT, "  %d requests completed in %.2f seconds%n", requests, elapsedNanos / 1e9);
        out.printf(Locale.ROOT, "  %d parallel clients%n", clients);
        out.printf(Locale.ROOT, "  %d bytes payload%n", dataSize);
        out.printf(Locale.ROOT, "  pipeline: %d%n", pipeline);
        if (errors > 0) {
            out.printf(Locale.ROOT, "  %d requests failed%n", errors);
        }
        out.println();
        out.println("Summary:");
        out.printf(Locale.ROOT, "  throughput summary: %.2f requests per second%n", rps());
        out.println("  latency summary (msec):");
        out.printf(Locale.ROOT, "    %9s %9s %9s %9s %9s %9s%n", "avg", "min", "p50", "p95", "p99", "max");
        out.printf(Locale.ROOT, "    %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f%n", avgMs(), minMs(), percentileMs(50),
                percentileMs(95), percentileMs(99), maxMs());
        out.println();
    }
}
