package earthwo.shell.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.ExpireResult;
import earthwo.api.Expiry;
import earthwo.api.Futures;
import earthwo.api.Keys;
import earthwo.api.Kv;
import earthwo.api.Limits;
import earthwo.api.Record;
import earthwo.api.ScanPage;
import earthwo.api.WriteConcern;
import earthwo.api.WriteOptions;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;

/**
 * Gogo commands {@code kv:put}, {@code kv:get}, {@code kv:del}, {@code kv:scan} and the expiry
 * commands {@code kv:expire}, {@code kv:expireat}, {@code kv:ttl}, {@code kv:persist} over the
 * node's {@link Kv} service. Keys and values are given and shown as UTF-8 text. Times to live
 * count from this node's clock. The expiry commands answer as {@code bin/earthwo}'s do (and
 * Redis's): 1 or 0, and -1 (no expiry) or -2 (absent) for a time to live.
 *
 * <p>Commands return their result and print nothing themselves: the Gogo console prints the
 * returned value, and {@code AdminCommands} (`bin/earthwo exec`) formats it the same way. A
 * {@code null} result prints nothing, which is how {@code kv:get} signals an absent key.
 *
 * <p>The {@link Kv} reference is optional and dynamic: the commands stay registered while the
 * Kv service is away (a storage or replication bundle being updated) and fail with
 * {@code UNAVAILABLE: Kv service unavailable} instead of vanishing into "Command not found",
 * and a Kv service coming or going never restarts this component.
 */
@Component(service = KvCommands.class, property = {
        "osgi.command.scope=kv",
        "osgi.command.function=put",
        "osgi.command.function=get",
        "osgi.command.function=del",
        "osgi.command.function=scan",
        "osgi.command.function=expire",
        "osgi.command.function=expireat",
        "osgi.command.function=ttl",
        "osgi.command.function=persist"})
public final class KvCommands {

    static final String DEFAULT_SCAN_LIMIT = "100";

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile Kv kv;

    private final LongSupplier clock;

    /** For Declarative Services. */
    public KvCommands() {
        this(null, System::currentTimeMillis);
    }

    /** For tests: a fixed Kv (may be null: unavailable) and clock. */
    KvCommands(Kv kv, LongSupplier clock) {
        this.kv = kv;
        this.clock = clock;
    }

    @Descriptor("store a value; returns the version it was written with. Without --ttl, --expire-at or"
            + " --keep-ttl the key has no expiry (an earlier one is removed)")
    public String put(
            @Descriptor("time to live in milliseconds (default 0: never expires)")
            @Parameter(names = {"-t", "--ttl"}, absentValue = "0") long ttlMillis,
            @Descriptor("expire at this epoch time in milliseconds")
            @Parameter(names = {"-x", "--expire-at"}, absentValue = "") String expireAt,
            @Descriptor("keep the expiry the key has")
            @Parameter(names = {"-k", "--keep-ttl"}, presentValue = "true", absentValue = "false") boolean keepTtl,
            @Descriptor("key (UTF-8)") String key,
            @Descriptor("value (UTF-8)") String value) {
        WriteOptions options = putOptions(ttlMillis, expireAt, keepTtl);
        return kv().put(Keys.utf8(key), Keys.utf8(value), options).toString();
    }

    /** The put's expiry: at most one of the three options; BAD_REQUEST before anything is written. */
    private WriteOptions putOptions(long ttlMillis, String expireAt, boolean keepTtl) {
        if (ttlMillis < 0) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "--ttl must be >= 0, not " + ttlMillis);
        }
        int given = (ttlMillis > 0 ? 1 : 0) + (expireAt.isEmpty() ? 0 : 1) + (keepTtl ? 1 : 0);
        if (given > 1) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "--ttl, --expire-at and --keep-ttl exclude each other");
        }
        if (keepTtl) {
            return WriteOptions.DEFAULT.keepingTtl();
        }
        if (!expireAt.isEmpty()) {
            long at = epochMillis(expireAt, "--expire-at");
            if (at == Record.NEVER) { // to a put, 0 means "no expiry", not the past
                throw new EarthwoException(ErrorCode.BAD_REQUEST, "--expire-at must be after 0, not " + expireAt);
            }
            return WriteOptions.DEFAULT.expiringAt(at);
        }
        if (ttlMillis > 0) {
            return WriteOptions.DEFAULT.expiringAt(Expiry.fromTtl(clock.getAsLong(), ttlMillis, false));
        }
        return WriteOptions.DEFAULT;
    }

    @Descriptor("value of a key as UTF-8; prints nothing and returns null when the key is absent")
    public String get(@Descriptor("key (UTF-8)") String key) {
        Optional<Record> r = kv().get(Keys.utf8(key));
        return r.map(rec -> Keys.string(rec.value())).orElse(null);
    }

    @Descriptor("delete a key; true if a live value was there")
    public boolean del(@Descriptor("key (UTF-8)") String key) {
        return kv().delete(Keys.utf8(key), WriteOptions.DEFAULT);
    }

    @Descriptor("keys starting with a prefix, in key order, as key<TAB>value lines (with --with-ttl a third"
            + " column: milliseconds left, -1 for none); a last '# more:' line gives the command for the next page")
    public ScanListing scan(
            @Descriptor("at most this many keys, 1.." + Limits.MAX_SCAN_LIMIT + " (default " + DEFAULT_SCAN_LIMIT + ")")
            @Parameter(names = {"-l", "--limit"}, absentValue = DEFAULT_SCAN_LIMIT) int limit,
            @Descriptor("start strictly after this key (default: from the first key)")
            @Parameter(names = {"-a", "--after"}, absentValue = "") String after,
            @Descriptor("add the milliseconds each key has left")
            @Parameter(names = {"--with-ttl"}, presentValue = "true", absentValue = "false") boolean withTtl,
            @Descriptor("key prefix (UTF-8); '' for every key") String prefix) {
        if (limit < 1 || limit > Limits.MAX_SCAN_LIMIT) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST,
                    "--limit must be between 1 and " + Limits.MAX_SCAN_LIMIT + ", not " + limit);
        }
        byte[] startAfter = after.isEmpty() ? null : Keys.utf8(after);
        ScanPage page = kv().scan(Keys.utf8(prefix), startAfter, limit);
        return withTtl ? ScanListing.withTtl(prefix, limit, page, clock.getAsLong()) : new ScanListing(prefix, limit, page);
    }

    @Descriptor("expire a key in MS milliseconds from now (0 deletes it); 1 if set or deleted, 0 if the key is absent")
    public int expire(@Descriptor("key (UTF-8)") String key,
                      @Descriptor("milliseconds from now, 0 or more") long ttlMillis) {
        return setOrDeleted(kv().expireAsync(Keys.utf8(key), Expiry.fromTtl(clock.getAsLong(), ttlMillis, true),
                WriteConcern.DEFAULT));
    }

    @Descriptor("expire a key at an epoch time in milliseconds (not in the future: deletes it); 1 if set or"
            + " deleted, 0 if the key is absent")
    public int expireat(@Descriptor("key (UTF-8)") String key,
                        @Descriptor("epoch milliseconds, 0 to 253402300799999 (year 9999)") long epochMillis) {
        long at = Expiry.checkAbsolute(epochMillis);
        // Kv reads 0 as NEVER (persist), but epoch 0 is a time long past: it deletes, as 1 does
        return setOrDeleted(kv().expireAsync(Keys.utf8(key), at == Record.NEVER ? 1 : at, WriteConcern.DEFAULT));
    }

    @Descriptor("milliseconds a key has left; -1 if it has no expiry, -2 if it is absent")
    public long ttl(@Descriptor("key (UTF-8)") String key) {
        return Expiry.remaining(kv().get(Keys.utf8(key)).orElse(null), clock.getAsLong());
    }

    @Descriptor("remove a key's expiry; 1 if it had one, 0 if it had none or is absent")
    public int persist(@Descriptor("key (UTF-8)") String key) {
        ExpireResult r = Futures.join(kv().expireAsync(Keys.utf8(key), Record.NEVER, WriteConcern.DEFAULT));
        return r == ExpireResult.PERSISTED ? 1 : 0;
    }

    private static int setOrDeleted(CompletionStage<ExpireResult> change) {
        return Futures.join(change) == ExpireResult.ABSENT ? 0 : 1;
    }

    private static long epochMillis(String text, String option) {
        try {
            return Expiry.checkAbsolute(Long.parseLong(text));
        } catch (NumberFormatException e) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, option + " needs an epoch time in milliseconds, not '"
                    + text + "'");
        }
    }

    /** The bound Kv service, read once per command; fails when there is none. */
    private Kv kv() {
        Kv k = kv;
        if (k == null) {
            throw new EarthwoException(ErrorCode.UNAVAILABLE, "Kv service unavailable");
        }
        return k;
    }
}
