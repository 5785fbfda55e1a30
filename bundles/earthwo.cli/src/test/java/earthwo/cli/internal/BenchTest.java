package earthwo.cli.internal;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchTest {

    @Test
    void defaultsAreRedisBenchmarks() {
        BenchOptions o = BenchOptions.parse(List.of());
        assertEquals(List.of("SET", "GET"), o.tests);
        assertEquals(100_000, o.requests);
        assertEquals(50, o.clients);
        assertEquals(3, o.dataSize);
        assertEquals(0, o.keyspace);
        assertEquals(1, o.pipeline);
        assertFalse(o.quiet);
        assertFalse(o.csv);
    }

    @Test
    void parsesEveryOption() {
        BenchOptions o = BenchOptions.parse(List.of("-t", "get,SET", "-n", "1000000", "-c", "16", "-d", "100",
                "-r", "1000000", "-P", "16", "-q", "--csv", "-h", "127.0.0.1", "-p", "7381", "-a", "pw"));
        assertEquals(List.of("GET", "SET"), o.tests);
        assertEquals(1_000_000, o.requests);
        assertEquals(16, o.clients);
        assertEquals(100, o.dataSize);
        assertEquals(1_000_000, o.keyspace);
        assertEquals(16, o.pipeline);
        assertTrue(o.quiet && o.csv);
        assertEquals("127.0.0.1", o.host);
        assertEquals(7381, o.port);
        assertEquals("pw", o.password);
        assertEquals(List.of("PING_INLINE", "PING_MBULK"), BenchOptions.parse(List.of("-t", "ping")).tests);
        assertEquals(10, BenchOptions.parse(List.of("-n", "10", "-c", "50")).clients, "no more clients than requests");
    }

    @Test
    void writeConcernOfSetIsAnOption() {
        assertEquals(earthwo.api.WriteConcern.DEFAULT, BenchOptions.parse(List.of()).concern);
        assertEquals(earthwo.api.WriteConcern.ONE, BenchOptions.parse(List.of("--w", "1")).concern);
        assertEquals(earthwo.api.WriteConcern.ALL, BenchOptions.parse(List.of("--w", "all")).concern);
        org.junit.jupiter.api.Assertions.assertThrows(UsageException.class, () -> BenchOptions.parse(List.of("--w", "2")));
    }

    @Test
    void ttlOfSetIsAnOption() {
        assertEquals(0, BenchOptions.parse(List.of()).ttlMillis, "no expiry by default");
        BenchOptions o = BenchOptions.parse(List.of("-t", "set", "--ttl", "3600000", "-P", "16"));
        assertEquals(3_600_000L, o.ttlMillis);
        assertEquals(16, o.pipeline);
        assertEquals(1L, BenchOptions.parse(List.of("--ttl", "1")).ttlMillis);
        assertEquals(10_000_000_000L, BenchOptions.parse(List.of("--ttl", "10000000000")).ttlMillis, "beyond an int");
        for (List<String> bad : List.of(List.of("--ttl"), List.of("--ttl", "0"), List.of("--ttl", "-5"),
                List.of("--ttl", "1h"), List.of("--ttl", "99999999999999999"), List.of("--ttl", "99999999999999999999"))) {
            UsageException e = assertThrows(UsageException.class, () -> BenchOptions.parse(bad), bad.toString());
            assertTrue(e.getMessage().startsWith("bench: ") && e.getMessage().contains("--ttl"), e.getMessage());
        }
    }

    @Test
    void aRateIsAnOptionOfTheNonBlockingGeneratorOnly() {
        assertEquals(0, BenchOptions.parse(List.of()).rate, "as fast as answers come by default");
        assertEquals(10_000, BenchOptions.parse(List.of("--rate", "10000")).rate);
        for (List<String> bad : List.of(List.of("--rate"), List.of("--rate", "0"), List.of("--rate", "x"),
                List.of("--rate", "100", "--java-client"))) {
            UsageException e = assertThrows(UsageException.class, () -> BenchOptions.parse(bad), bad.toString());
            assertTrue(e.getMessage().contains("--rate"), e.getMessage());
        }
    }

    @Test
    void badOptionsAreUsageErrors() {
        for (List<String> bad : List.of(List.of("-n"), List.of("-n", "x"), List.of("-c", "0"), List.of("-P", "-1"),
                List.of("-t", "lpush"), List.of("--bogus"), List.of("-t", ","), List.of("-p", "70000"))) {
            assertThrows(UsageException.class, () -> BenchOptions.parse(bad), bad.toString());
        }
    }

    @Test
    void randomKeysLookLikeRedisBenchmarks() {
        assertEquals("key:000000000042", new String(Bench.randomKey(42), StandardCharsets.US_ASCII));
        assertEquals("key:999999999999", new String(Bench.randomKey(999_999_999_999L), StandardCharsets.US_ASCII));
    }

    private static BenchResult sample() {
        int[] lat = new int[100];
        for (int i = 0; i < 100; i++) {
            lat[i] = (100 - i) * 10; // 10 us .. 1000 us, shuffled order
        }
        return new BenchResult("SET", lat, 250_000_000L, 0); // 100 requests in 0.25 s
    }

    @Test
    void quietLineMatchesRedisBenchmark7() {
        assertEquals("SET: 400.00 requests per second, p50=0.500 msec", sample().quietLine());
    }

    @Test
    void csvMatchesRedisBenchmark7() {
        assertEquals("\"test\",\"rps\",\"avg_latency_ms\",\"min_latency_ms\",\"p50_latency_ms\",\"p95_latency_ms\","
                + "\"p99_latency_ms\",\"max_latency_ms\"", BenchResult.CSV_HEADER);
        assertEquals("\"SET\",\"400.00\",\"0.505\",\"0.010\",\"0.500\",\"0.950\",\"0.990\",\"1.000\"", sample().csvLine());
    }

    @Test
    void summaryHasRedisBenchmarksSummarySection() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        sample().printSummary(new PrintStream(b, true, StandardCharsets.UTF_8), 50, 3, 1);
        String s = b.toString(StandardCharsets.UTF_8);
        assertTrue(s.startsWith("====== SET ======\n  100 requests completed in 0.25 seconds\n  50 parallel clients\n"
                + "  3 bytes payload\n"), s);
        assertTrue(s.contains("  throughput summary: 400.00 requests per second\n"
                + "  latency summary (msec):\n"
                + "          avg       min       p50       p95       p99       max\n"
                + "        0.505     0.010     0.500     0.950     0.990     1.000\n"), s);
    }
}
