package earthwo.cli.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Options of {@code earthwo bench}, spelled as redis-benchmark spells them:
 * {@code -t set,get -n 100000 -c 50 -d 3 -r KEYSPACE -P 1 -q --csv -h HOST -p PORT -a SECRET}, and a
 * few of its own: {@code --w}, {@code --java-client}, {@code --window}, {@code --ttl MS},
 * {@code --rate N}.
 */
final class BenchOptions {

    /** Test names as printed (redis-benchmark titles), in the order they run. */
    final List<String> tests = new ArrayList<>();
    int requests = 100_000;
    int clients = 50;
    int dataSize = 3;
    /** Keyspace for random keys; 0 = every request uses the literal key "key:__rand_int__". */
    long keyspace;
    int pipeline = 1;
    boolean quiet;
    boolean csv;
    /** Write concern of SET (not a redis-benchmark option): 1, quorum or all; default: the node's. */
    earthwo.api.WriteConcern concern = earthwo.api.WriteConcern.DEFAULT;
    /**
     * Drive the load through the Java client library (one client and thread per connection)
     * instead of the single-threaded non-blocking load generator (not a redis-benchmark option).
     */
    boolean javaClient;
    /**
     * Keep {@code -P} requests in flight per client, sending one as each answer arrives, instead
     * of redis-benchmark's batches of {@code -P} (not a redis-benchmark option).
     */
    boolean window;
    /**
     * Time to live of each SET in ms (not a redis-benchmark option): every SET carries the
     * absolute expiry {@code now + ttlMillis}, now read by this machine's clock when its batch is
     * sent; 0 (default): SETs carry no expiry.
     */
    long ttlMillis;
    /**
     * Requests per second in all, at most (not a redis-benchmark option): requests are issued no
     * faster than this, evenly over the run, to measure at a given load; 0 (default): as fast as
     * the clients get answers.
     */
    long rate;
    String host;
    int port;
    String password;

    static BenchOptions parse(List<String> args) {
        BenchOptions o = new BenchOptions();
        String tests = "set,get";
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "-t":
                    tests = value(args, ++i, a);
                    break;
                case "-n":
                    o.requests = intValue(args, ++i, a, 1);
                    break;
                case "-c":
                    o.clients = intValue(args, ++i, a, 1);
                    break;
                case "-d":
                    o.dataSize = intValue(args, ++i, a, 0);
                    break;
                case "-r":
                    o.keyspace = intValue(args, ++i, a, 1);
                    break;
                case "-P":
                    o.pipeline = intValue(args, ++i, a, 1);
                    break;
                case "-q":
                    o.quiet = true;
                    break;
                case "--csv":
                    o.csv = true;
                    break;
                case "--w":
                    o.concern = EarthwoCli.concern(value(args, ++i, a));
                    break;
                case "--java-client":
                    o.javaClient = true;
                    break;
                case "--window":
                    o.window = true;
                    break;
                case "--ttl": {
                    String ms = value(args, ++i, a);
                    try {
                        TimeArgs.expiryAfter(System.currentTimeMillis(), ms, a, false);
                    } catch (UsageException e) {
                        throw new UsageException("bench: " + e.getMessage());
                    }
                    o.ttlMillis = Long.parseLong(ms);
                    break;
                }
                case "--rate":
                    o.rate = intValue(args, ++i, a, 1);
                    break;
                case "-h":
                    o.host = value(args, ++i, a);
                    break;
                case "-p":
                    o.port = intValue(args, ++i, a, 1);
                    if (o.port > 65535) {
                        throw new UsageException("bench: -p must be a port number");
                    }
                    break;
                case "-a":
                    o.password = value(args, ++i, a);
                    break;
                default:
                    throw new UsageException("bench: unknown option '" + a + "'");
            }
        }
        for (String t : tests.split(",")) {
            String name = t.trim().toLowerCase(Locale.ROOT);
            switch (name) {
                case "set":
                    o.tests.add("SET");
                    break;
                case "get":
                    o.tests.add("GET");
                    break;
                case "ping":
                    o.tests.add("PING_INLINE");
                    o.tests.add("PING_MBULK");
                    break;
                case "":
                    break;
                default:
                    throw new UsageException("bench: unsupported test '" + t.trim() + "' (supported: set, get, ping)");
            }
        }
        if (o.tests.isEmpty()) {
            throw new UsageException("bench: -t names no test");
        }
        if (o.clients > o.requests) {
            o.clients = o.requests;
        }
        if (o.rate > 0 && o.javaClient) {
            throw new UsageException("bench: --rate works with the non-blocking load generator only, not --java-client");
        }
        return o;
    }

    private static String value(List<String> args, int i, String option) {
        if (i >= args.size()) {
            throw new UsageException("bench: " + option + " needs a value");
        }
        return args.get(i);
    }

    private static int intValue(List<String> args, int i, String option, int min) {
        String v = value(args, i, option);
        try {
            int n = Integer.parseInt(v);
            if (n < min) {
                throw new UsageException("bench: " + option + " must be at least " + min + ", not " + v);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException("bench: " + option + " needs a number, not '" + v + "'");
        }
    }
}
