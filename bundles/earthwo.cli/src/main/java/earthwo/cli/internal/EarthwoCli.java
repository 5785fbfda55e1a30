package earthwo.cli.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.ExpireResult;
import earthwo.api.Expiry;
import earthwo.api.Futures;
import earthwo.api.Keys;
import earthwo.api.Limits;
import earthwo.api.NodeProperties;
import earthwo.api.Record;
import earthwo.api.ScanPage;
import earthwo.api.Version;
import earthwo.api.WriteConcern;
import earthwo.api.WriteOptions;
import earthwo.api.channels.ChannelNames;
import earthwo.api.channels.PublishResult;
import earthwo.api.client.KvClient;
import earthwo.api.client.KvClientFactory;
import earthwo.client.CommandFailedException;
import earthwo.client.EarthwoClients;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code bin/earthwo} data and admin commands:
 * {@code java -cp earthwo.cli.jar:earthwo.api.jar:earthwo.client.jar earthwo.cli.internal.EarthwoCli
 * [global options] COMMAND ...}.
 * It talks to the node through {@link EarthwoClients}, the client library's plain-jar entry point.
 * See {@link #USAGE}. Exit codes: 0 ok, 1 key absent ({@code get}, {@code expire}, {@code expireat},
 * {@code ttl}, {@code persist}), 2 error (one line on
 * stderr, {@code earthwo: CODE: message}), 64 usage error. Stack traces only with EARTHWO_DEBUG=1.
 */
public final class EarthwoCli {

    public static final int OK = 0;
    public static final int ABSENT = 1;
    public static final int ERROR = 2;
    public static final int USAGE = 64;

    static final String DEFAULT_SEED = "127.0.0.1:7380";
    static final int DEFAULT_SCAN_LIMIT = 100;

    static final String USAGE_TEXT = String.join("\n",
            "usage: earthwo [-s HOST:PORT[,HOST:PORT...]] [--data DIR] [--secret S] [--timeout MS] [--tls-ca PEM] COMMAND [ARGS]",
            "",
            "commands:",
            "  put KEY VALUE [--ttl MS | --expire-at EPOCH_MS | --keep-ttl] [--w 1|quorum|all]",
            "                             store a value; prints its version. --ttl: expires MS ms from now (by this",
            "                             machine's clock), --expire-at: at that time, --keep-ttl: keeps the key's",
            "                             expiry; without them the key has none (an earlier one is removed)",
            "  get KEY                    print the value; exit 1 (nothing printed) when absent",
            "  del KEY                    delete; prints 1 if the key existed, else 0",
            "  expire KEY MS [--w ...]    expire MS ms from now by the node's clock; prints 1 (0 ms deletes the key),",
            "                             or 0 and exit 1 when the key is absent",
            "  expireat KEY EPOCH_MS [--w ...]   the same at an epoch time in ms; a time not in the future deletes",
            "  ttl KEY                    prints the ms left; -1 if the key has no expiry; -2 and exit 1 when absent",
            "  persist KEY [--w ...]      remove the expiry: prints 1, 0 if it had none, 0 and exit 1 when absent",
            "  scan PREFIX [--limit N] [--with-ttl]   print KEY<TAB>VALUE lines (default limit 100, max 10000);",
            "                             --with-ttl adds a TAB and the ms left (-1: no expiry)",
            "  " + QueryArgs.USAGE,
            "                             rows of a secondary index in (index value, key) order: KEY<TAB>INDEX VALUE",
            "                             <TAB>VALUE lines (--keys-only: KEY<TAB>INDEX VALUE). --eq: an exact match;",
            "                             --from/--to: a range, both inclusive, either may be left out (neither: the",
            "                             whole index). --limit: rows per page (default 100, max 10000). When more",
            "                             rows remain, the last line, on stderr, is '# next: --after CURSOR': pass it",
            "                             to read the next page; --all reads every page",
            "  publish CHANNEL MESSAGE    publish MESSAGE ('-': read it from stdin); prints how many nodes took it",
            "  " + SubscribeArgs.USAGE,
            "                             print CHANNEL<TAB>MESSAGE per message (--with-ids adds the publisher and its",
            "                             sequence before the message) until Ctrl-C; --pattern: channels matching P",
            "                             ('*' one dot-separated part, '**' any). --count: exit 0 once N arrived;",
            "                             --timeout: stop after SECONDS (exit 1 if --count was not reached). stderr",
            "                             says '# subscribed on NODE' once publishes reach it, and reports gaps.",
            "                             Global options go before 'subscribe' (its --timeout is its own)",
            "  ping                       prints PONG when the node answers",
            "  status                     the node's status, one 'name: value' per line",
            "  exec 'CMD'                 run a shell command on the node (admin secret); exit 2 if it failed",
            "  shell                      run commands read from stdin (prompt 'earthwo> '); exit/EOF leaves",
            "  bench [-t set,get] [-n N] [-c N] [-d BYTES] [-r KEYSPACE] [-P DEPTH] [-q] [--csv] [--w 1|quorum|all] [-h HOST] [-p PORT]",
            "        [--java-client] [--window] [--ttl MS] [--rate N]",
            "                             benchmark with redis-benchmark's options and output formats: one thread,",
            "                             non-blocking sockets, keys routed to segment masters; --java-client drives",
            "                             the load through the Java client library (a client and a thread per -c);",
            "                             --window keeps -P requests in flight instead of batches of -P; --ttl: each",
            "                             SET expires MS ms after it is sent (this machine's clock, read per batch);",
            "                             --rate: at most N requests per second in all, spread evenly",
            "  help                       this text",
            "",
            "seeds: -s, else the host:port in DIR/endpoint, else " + DEFAULT_SEED + "; DIR defaults to ./data.",
            "TLS: --tls-ca FILE (the authorities of the nodes' certificates), else $EARTHWO_TLS_CA.",
            "secret: --secret, else $EARTHWO_SECRET. Admin secret (exec, shell): $EARTHWO_ADMIN_SECRET, else DIR/admin.secret.",
            "exit codes: 0 ok, 1 key absent (get, expire, expireat, ttl, persist), 2 error, 64 usage error.",
            "EARTHWO_DEBUG=1 prints stack traces.");

    private final Map<String, String> env;
    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;
    private final boolean interactive;

    private List<String> seeds;
    private Path dataDir = Paths.get(NodeProperties.DATA_DIR_DEFAULT);
    private String secret;
    /** Certificate authorities (PEM) of a node with TLS, or null: --tls-ca, else $EARTHWO_TLS_CA. */
    private Path tlsCa;
    private Duration timeout = Duration.ofSeconds(5);

    EarthwoCli(Map<String, String> env, InputStream in, PrintStream out, PrintStream err, boolean interactive) {
        this.env = env;
        this.in = in;
        this.out = out;
        this.err = err;
        this.interactive = interactive;
    }

    public static void main(String[] args) {
        int rc = new EarthwoCli(System.getenv(), System.in, System.out, System.err, System.console() != null)
                .execute(args);
        System.out.flush();
        System.err.flush();
        System.exit(rc);
    }

    /** Runs one command line; returns the exit code. Reads stdin for {@code shell}. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, System.in, out, err);
    }

    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        return new EarthwoCli(System.getenv(), in, out, err, false).execute(args);
    }

    int execute(String[] argv) {
        try {
            List<String> args = parseGlobal(new ArrayList<>(Arrays.asList(argv)), true);
            if (args.isEmpty()) {
                throw new UsageException("no command given");
            }
            String command = args.remove(0);
            // bench has options of its own among the global ones; subscribe's --timeout (seconds)
            // is not the global one (ms), so its global options go before it
            if (!command.equals("bench") && !command.equals("subscribe")) {
                args = parseGlobal(args);
            }
            return dispatch(command, args);
        } catch (UsageException e) {
            err.println("earthwo: " + e.getMessage());
            err.println("run 'earthwo help' for usage");
            return USAGE;
        } catch (EarthwoException e) {
            debug(e);
            err.println("earthwo: " + oneLine(e.getMessage()));
            return ERROR;
        } catch (RuntimeException e) {
            debug(e);
            err.println("earthwo: " + ErrorCode.INTERNAL + ": " + oneLine(String.valueOf(e)));
            return ERROR;
        }
    }

    /** Takes the global options out of {@code args}; returns the rest. */
    private List<String> parseGlobal(List<String> args) {
        return parseGlobal(args, false);
    }

    /** As {@link #parseGlobal(List)}; with {@code untilCommand} only those before the first non-option. */
    private List<String> parseGlobal(List<String> args, boolean untilCommand) {
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (untilCommand && !a.startsWith("-")) {
                rest.addAll(args.subList(i, args.size()));
                break;
            }
            switch (a) {
                case "-s":
                case "--seeds":
                    seeds = parseSeeds(need(args, ++i, a));
                    break;
                case "--data":
                    dataDir = Paths.get(need(args, ++i, a));
                    break;
                case "--secret":
                    secret = need(args, ++i, a);
                    break;
                case "--timeout":
                    timeout = Duration.ofMillis(positive(need(args, ++i, a), a));
                    break;
                case "--tls-ca":
                    tlsCa = Paths.get(need(args, ++i, a));
                    break;
                default:
                    rest.add(a);
            }
        }
        return rest;
    }

    private int dispatch(String command, List<String> args) {
        switch (command) {
            case "help":
            case "--help":
            case "-help":
                out.println(USAGE_TEXT);
                return OK;
            case "put":
                return put(args);
            case "get":
                return get(args);
            case "del":
                return del(args);
            case "scan":
                return scan(args);
            case "query":
                return query(args);
            case "expire":
                return expire(args, false);
            case "expireat":
                return expire(args, true);
            case "ttl":
                return ttl(args);
            case "persist":
                return persist(args);
            case "publish":
                return publish(args);
            case "subscribe":
                return subscribe(args);
            case "ping":
                return ping(args);
            case "status":
                return status(args);
            case "exec":
                return exec(args);
            case "shell":
                return shell(args);
            case "bench":
                return bench(args);
            default:
                throw new UsageException("unknown command '" + command + "'");
        }
    }

    // ---------------------------------------------------------------- data commands

    private int put(List<String> args) {
        String usage = "put KEY VALUE [--ttl MS | --expire-at EPOCH_MS | --keep-ttl] [--w 1|quorum|all]";
        WriteConcern concern = WriteConcern.DEFAULT;
        String expiryOption = null;
        long expiresAt = Record.NEVER;
        String ttl = null;
        List<String> pos = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--w" -> concern = concern(need(args, ++i, a));
                case "--ttl", "--expire-at", "--keep-ttl" -> {
                    if (expiryOption != null) {
                        throw new UsageException(expiryOption + " and " + a + " exclude each other; usage: " + usage);
                    }
                    expiryOption = a;
                    switch (a) {
                        case "--ttl" -> {
                            ttl = need(args, ++i, a);
                            TimeArgs.expiryAfter(System.currentTimeMillis(), ttl, a, false); // refused before connecting
                        }
                        case "--expire-at" -> expiresAt = TimeArgs.epochMillis(need(args, ++i, a), a, false);
                        default -> expiresAt = WriteOptions.KEEP_TTL;
                    }
                }
                default -> pos.add(a);
            }
        }
        exactly(pos, 2, usage);
        try (KvClient c = connect(false)) {
            if (ttl != null) {
                // A put carries an absolute expiry: --ttl counts from this machine's clock, read once
                // connected, so a slow start of the JVM or the connection does not eat into it.
                expiresAt = TimeArgs.expiryAfter(System.currentTimeMillis(), ttl, "--ttl", false);
            }
            Version v = c.put(Keys.utf8(pos.get(0)), Keys.utf8(pos.get(1)), WriteOptions.of(concern, expiresAt));
            out.println(v);
        }
        return OK;
    }

    private int get(List<String> args) {
        exactly(args, 1, "get KEY");
        try (KvClient c = connect(false)) {
            Optional<Record> r = c.get(Keys.utf8(args.get(0)));
            if (r.isEmpty()) {
                return ABSENT;
            }
            out.write(r.get().value(), 0, r.get().value().length);
            out.println();
        }
        return OK;
    }

    private int del(List<String> args) {
        exactly(args, 1, "del KEY");
        try (KvClient c = connect(false)) {
            out.println(c.delete(Keys.utf8(args.get(0))) ? "1" : "0");
        }
        return OK;
    }

    private int scan(List<String> args) {
        int limit = DEFAULT_SCAN_LIMIT;
        boolean withTtl = false;
        List<String> pos = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--with-ttl")) {
                withTtl = true;
            } else if (a.equals("--limit")) {
                long l = positive(need(args, ++i, a), a);
                if (l > Limits.MAX_SCAN_LIMIT) {
                    throw new UsageException("--limit must be at most " + Limits.MAX_SCAN_LIMIT);
                }
                limit = (int) l;
            } else {
                pos.add(a);
            }
        }
        if (pos.size() > 1) {
            throw new UsageException("usage: scan PREFIX [--limit N] [--with-ttl]");
        }
        byte[] prefix = pos.isEmpty() ? new byte[0] : Keys.utf8(pos.get(0));
        try (KvClient c = connect(false)) {
            ScanPage page = c.scan(prefix, null, limit);
            long now = System.currentTimeMillis();
            for (Record r : page.records()) {
                out.write(r.key(), 0, r.key().length);
                out.print('\t');
                out.write(r.value(), 0, r.value().length);
                if (withTtl) {
                    out.print('\t');
                    out.print(remainingMillis(r, now));
                }
                out.println();
            }
        }
        return OK;
    }

    /** query NAME ...: the rows of a secondary index ({@link QueryArgs}, {@link QueryPrinter}). */
    private int query(List<String> args) {
        QueryArgs query = QueryArgs.parse(args);
        try (KvClient c = connect(false)) {
            new QueryPrinter(out, err).print(c, query);
        }
        return OK;
    }

    /** publish CHANNEL MESSAGE: prints the nodes that took it; a node that did not is reported on stderr. */
    private int publish(List<String> args) {
        exactly(args, 2, "publish CHANNEL MESSAGE");
        byte[] message = "-".equals(args.get(1)) ? readStdin() : args.get(1).getBytes(StandardCharsets.UTF_8);
        try {
            ChannelNames.checkName(args.get(0));
        } catch (EarthwoException e) {
            throw new UsageException(String.valueOf(e.getMessage()));
        }
        try (KvClient c = connect(false)) {
            PublishResult r = c.publish(args.get(0), message);
            out.println(r.nodes());
            if (r.failedNodes() > 0) {
                err.println("# " + r.failedNodes() + " node(s) with subscribers did not take it");
            }
        }
        return OK;
    }

    private byte[] readStdin() {
        try {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "cannot read stdin: " + e.getMessage());
        }
    }

    /** subscribe CHANNEL... ({@link SubscribeArgs}, {@link SubscriptionPrinter}). */
    private int subscribe(List<String> args) {
        SubscribeArgs sub = SubscribeArgs.parse(args);
        try (KvClient c = connect(false)) {
            return new SubscriptionPrinter(out, err, sub).run(c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OK;
        }
    }

    /**
     * The ms a scanned record has left by this machine's clock, -1 without expiry. The node found
     * it live, so a record already past its expiry here (clocks differ) shows 0, not -2 (absent).
     */
    static long remainingMillis(Record r, long nowMillis) {
        return r.expiresAt() == Record.NEVER ? Expiry.TTL_NONE : Math.max(0, r.expiresAt() - nowMillis);
    }

    /** expire KEY MS, expireat KEY EPOCH_MS: 1 when the expiry was set or the key deleted, 0 (exit 1) when absent. */
    private int expire(List<String> args, boolean absolute) {
        String usage = absolute ? "expireat KEY EPOCH_MS [--w 1|quorum|all]" : "expire KEY MS [--w 1|quorum|all]";
        List<String> pos = new ArrayList<>(args);
        WriteConcern concern = takeConcern(pos);
        exactly(pos, 2, usage);
        byte[] key = Keys.utf8(pos.get(0));
        long time = absolute ? TimeArgs.epochMillis(pos.get(1), "EPOCH_MS", true) : TimeArgs.ttlMillis(pos.get(1), "MS", true);
        try (KvClient c = connect(false)) {
            ExpireResult r = Futures.join(absolute ? c.expireAtAsync(key, time, concern) : c.expireAsync(key, time, concern));
            out.println(r == ExpireResult.ABSENT ? "0" : "1");
            return r == ExpireResult.ABSENT ? ABSENT : OK;
        }
    }

    /** persist KEY: 1 when an expiry was removed, 0 when the key had none, 0 (exit 1) when absent. */
    private int persist(List<String> args) {
        List<String> pos = new ArrayList<>(args);
        WriteConcern concern = takeConcern(pos);
        exactly(pos, 1, "persist KEY [--w 1|quorum|all]");
        try (KvClient c = connect(false)) {
            ExpireResult r = Futures.join(c.persistAsync(Keys.utf8(pos.get(0)), concern));
            out.println(r == ExpireResult.PERSISTED ? "1" : "0");
            return r == ExpireResult.ABSENT ? ABSENT : OK;
        }
    }

    /** ttl KEY: the ms left by the node's clock, -1 without expiry, -2 (exit 1) when absent. */
    private int ttl(List<String> args) {
        exactly(args, 1, "ttl KEY");
        try (KvClient c = connect(false)) {
            long ms = c.ttl(Keys.utf8(args.get(0)));
            out.println(ms);
            return ms == Expiry.TTL_ABSENT ? ABSENT : OK;
        }
    }

    private int ping(List<String> args) {
        exactly(args, 0, "ping");
        try (KvClient c = connect(false)) {
            earthwo.api.Futures.join(EarthwoClients.pingAsync(c));
            out.println("PONG");
        }
        return OK;
    }

    private int status(List<String> args) {
        exactly(args, 0, "status");
        try (KvClient c = connect(false)) {
            for (Map.Entry<String, String> e : c.statusAsync().join().entrySet()) {
                out.println(e.getKey() + ": " + e.getValue());
            }
        } catch (java.util.concurrent.CompletionException e) {
            throw unwrap(e);
        }
        return OK;
    }

    // ---------------------------------------------------------------- admin commands

    private int exec(List<String> args) {
        if (args.isEmpty()) {
            throw new UsageException("usage: exec 'CMD'");
        }
        String command = String.join(" ", args);
        try (KvClient c = connect(true)) {
            return runAdmin(c, command) ? OK : ERROR;
        }
    }

    private int shell(List<String> args) {
        exactly(args, 0, "shell");
        boolean failed = false;
        try (KvClient c = connect(true);
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            while (true) {
                if (interactive) {
                    out.print("earthwo> ");
                    out.flush();
                }
                String line = r.readLine();
                if (line == null) {
                    if (interactive) {
                        out.println();
                    }
                    break;
                }
                line = line.strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                if (line.equals("exit") || line.equals("quit")) {
                    break;
                }
                try {
                    failed |= !runAdmin(c, line);
                } catch (EarthwoException e) {
                    if (e.code() == ErrorCode.AUTH || e.code() == ErrorCode.UNAVAILABLE && !interactive) {
                        throw e;
                    }
                    debug(e);
                    err.println("earthwo: " + oneLine(e.getMessage()));
                    failed = true;
                }
            }
        } catch (IOException e) {
            throw new EarthwoException(ErrorCode.INTERNAL, "reading stdin: " + e.getMessage(), e);
        }
        return failed && !interactive ? ERROR : OK;
    }

    /** Runs one admin command, prints its output; returns false when the command failed. */
    private boolean runAdmin(KvClient c, String command) {
        try {
            String output = c.execAsync(command).join();
            out.print(output);
            if (!output.isEmpty() && !output.endsWith("\n")) {
                out.println();
            }
            out.flush();
            return true;
        } catch (java.util.concurrent.CompletionException e) {
            EarthwoException ee = unwrap(e);
            if (ee instanceof CommandFailedException cf) {
                err.println("earthwo: command failed: " + cf.output().strip());
                return false;
            }
            throw ee;
        }
    }

    private String adminSecret() {
        String s = env.get("EARTHWO_ADMIN_SECRET");
        if (s != null && !s.isEmpty()) {
            return s;
        }
        Path file = dataDir.resolve(NodeProperties.ADMIN_SECRET_FILE);
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new EarthwoException(ErrorCode.AUTH, "no admin secret: cannot read " + file
                    + " and EARTHWO_ADMIN_SECRET is not set");
        }
    }

    // ---------------------------------------------------------------- bench

    private int bench(List<String> args) {
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--data") || a.equals("--secret") || a.equals("--timeout") || a.equals("--tls-ca") || a.equals("-s")
                    || a.equals("--seeds")) {
                parseGlobal(List.of(a, need(args, ++i, a)));
            } else {
                rest.add(a);
            }
        }
        BenchOptions o = BenchOptions.parse(rest);
        if (o.host != null || o.port != 0) {
            String host = o.host != null ? o.host : "127.0.0.1";
            int port = o.port != 0 ? o.port : defaultPort();
            seeds = List.of(host + ":" + port);
        }
        if (o.password != null) {
            secret = o.password;
        }
        List<BenchResult> results = new Bench(o, config()).run(out, err);
        for (BenchResult r : results) {
            if (r.errors > 0) {
                return ERROR;
            }
        }
        return OK;
    }

    private static int defaultPort() {
        return Integer.parseInt(NodeProperties.PORT_DEFAULT);
    }

    // ---------------------------------------------------------------- helpers

    private KvClient connect(boolean admin) {
        KvClientFactory.Config cfg = config();
        if (admin) {
            cfg = cfg.withAdminSecret(adminSecret());
        }
        return EarthwoClients.connect(cfg);
    }

    KvClientFactory.Config config() {
        KvClientFactory.Config c = KvClientFactory.Config.seeds(resolveSeeds().toArray(new String[0]))
                .withRequestTimeout(timeout);
        String s = secret != null ? secret : env.get("EARTHWO_SECRET");
        if (s != null && !s.isEmpty()) {
            c = c.withSecret(s);
        }
        Path ca = tlsCa;
        String caFromEnv = env.get("EARTHWO_TLS_CA");
        if (ca == null && caFromEnv != null && !caFromEnv.isEmpty()) {
            ca = Paths.get(caFromEnv);
        }
        if (ca != null) {
            c = c.withTls(ca);
        }
        return c;
    }

    List<String> resolveSeeds() {
        if (seeds != null) {
            return seeds;
        }
        Path endpoint = dataDir.resolve("endpoint");
        if (Files.isReadable(endpoint)) {
            try {
                String text = Files.readString(endpoint, StandardCharsets.UTF_8).strip();
                if (!text.isEmpty()) {
                    return parseSeeds(text);
                }
            } catch (IOException e) {
                // fall through to the default
            }
        }
        return List.of(DEFAULT_SEED);
    }

    private static List<String> parseSeeds(String text) {
        List<String> out = new ArrayList<>();
        for (String s : text.split("[,\\s]+")) {
            if (s.isEmpty()) {
                continue;
            }
            int colon = s.lastIndexOf(':');
            if (colon <= 0 || colon == s.length() - 1) {
                throw new UsageException("seed must be HOST:PORT, not '" + s + "'");
            }
            try {
                int port = Integer.parseInt(s.substring(colon + 1));
                if (port <= 0 || port > 65535) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw new UsageException("bad port in seed '" + s + "'");
            }
            out.add(s);
        }
        if (out.isEmpty()) {
            throw new UsageException("no seed address given");
        }
        return out;
    }

    /** Removes {@code --w X} from {@code args}; the write concern it names, DEFAULT without it. */
    private static WriteConcern takeConcern(List<String> args) {
        WriteConcern concern = WriteConcern.DEFAULT;
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals("--w")) {
                concern = concern(need(args, i + 1, "--w"));
                args.subList(i, i + 2).clear();
                i--;
            }
        }
        return concern;
    }

    static WriteConcern concern(String s) {
        switch (s.toLowerCase(Locale.ROOT)) {
            case "1":
            case "one":
                return WriteConcern.ONE;
            case "quorum":
                return WriteConcern.QUORUM;
            case "all":
                return WriteConcern.ALL;
            default:
                throw new UsageException("--w must be 1, quorum or all, not '" + s + "'");
        }
    }

    private static String need(List<String> args, int i, String option) {
        if (i >= args.size()) {
            throw new UsageException(option + " needs a value");
        }
        return args.get(i);
    }

    private static long positive(String v, String option) {
        try {
            long n = Long.parseLong(v);
            if (n <= 0) {
                throw new UsageException(option + " must be positive, not " + v);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException(option + " needs a number, not '" + v + "'");
        }
    }

    private static void exactly(List<String> args, int n, String usage) {
        if (args.size() != n) {
            throw new UsageException("usage: " + usage);
        }
        for (String a : args) {
            if (a.startsWith("--")) {
                throw new UsageException("unknown option '" + a + "'; usage: " + usage);
            }
        }
    }

    private static EarthwoException unwrap(java.util.concurrent.CompletionException e) {
        Throwable c = e.getCause();
        return c instanceof EarthwoException ee ? ee : new EarthwoException(ErrorCode.INTERNAL, String.valueOf(c), c);
    }

    private static String oneLine(String s) {
        if (s == null) {
            return "";
        }
        return s.replace('\n', ' ').replace('\r', ' ');
    }

    private void debug(Throwable t) {
        if ("1".equals(env.get("EARTHWO_DEBUG"))) {
            t.printStackTrace(err);
        }
    }
}
