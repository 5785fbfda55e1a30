package earthwo.shell.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Keys;
import earthwo.api.Kv;
import earthwo.api.Limits;
import earthwo.api.Record;
import earthwo.api.WriteOptions;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Gogo commands {@code kv:put}, {@code kv:get}, {@code kv:del} and {@code kv:scan} over the
 * node's {@link Kv} service. Keys and values are given and shown as UTF-8 text.
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
        "osgi.command.function=scan"})
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

    @Descriptor("store a value; returns the version it was written with")
    public String put(
            @Descriptor("time to live in milliseconds (default 0: never expires)")
            @Parameter(names = {"-t", "--ttl"}, absentValue = "0") long ttlMillis,
            @Descriptor("key (UTF-8)") String key,
            @Descriptor("value (UTF-8)") String value) {
        if (ttlMillis < 0) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "--ttl must be >= 0, not " + ttlMillis);
        }
        WriteOptions options = WriteOptions.DEFAULT;
        if (ttlMillis > 0) {
            long now = clock.getAsLong();
            long expiresAt = ttlMillis > Long.MAX_VALUE - now ? Long.MAX_VALUE : now + ttlMillis;
            options = options.expiringAt(expiresAt);
        }
        return kv().put(Keys.utf8(key), Keys.utf8(value), options).toString();
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

    @Descriptor("keys starting with a prefix, in key order, as key<TAB>value lines; "
            + "a last '# more:' line gives the command for the next page")
    public ScanListing scan(
            @Descriptor("at most this many keys, 1.." + Limits.MAX_SCAN_LIMIT + " (default " + DEFAULT_SCAN_LIMIT + ")")
            @Parameter(names = {"-l", "--limit"}, absentValue = DEFAULT_SCAN_LIMIT) int limit,
            @Descriptor("start strictly after this key (default: from the first key)")
            @Parameter(names = {"-a", "--after"}, absentValue = "") String after,
            @Descriptor("key prefix (UTF-8); '' for every key") String prefix) {
        if (limit < 1 || limit > Limits.MAX_SCAN_LIMIT) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST,
                    "--limit must be between 1 and " + Limits.MAX_SCAN_LIMIT + ", not " + limit);
        }
        byte[] startAfter = after.isEmpty() ? null : Keys.utf8(after);
        return new ScanListing(prefix, limit, kv().scan(Keys.utf8(prefix), startAfter, limit));
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
