package earthwo.ttl.internal;

import earthwo.api.Keys;
import earthwo.api.admin.StatusSource;
import earthwo.api.storage.ExpiryEntry;
import earthwo.api.storage.ExpiryIndexCheck;
import earthwo.api.storage.SegmentStore;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import java.util.List;
import java.util.Map;

/**
 * Gogo commands {@code ttl:status} (also {@code bin/earthwo exec ttl:status}): the reaper's facts,
 * one {@code ttl.KEY = value} line each, the same names {@code node:status} shows; and
 * {@code ttl:verify}: the expiry index compared with the records. A plain
 * service with {@code osgi.command.scope}: Gogo calls the public method, so this bundle needs no
 * Gogo import.
 *
 * <p>A component of its own, with an optional reference to the reaper's status, so the command
 * exists and says so while the reaper is not active (it waits for the store, the cluster view and
 * the Kv service, e.g. during an update of one of their bundles).
 */
@Component(service = TtlCommands.class, property = {
        "osgi.command.scope=ttl",
        "osgi.command.function=status",
        "osgi.command.function=verify"})
public final class TtlCommands {

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY,
            target = "(" + Reaper.STATUS_PROPERTY + "=" + Reaper.STATUS_NAME + ")")
    private volatile StatusSource reaper;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile SegmentStore store;

    /** For Declarative Services. */
    public TtlCommands() {
    }

    /** For tests: a fixed source (null: the reaper is not active). */
    TtlCommands(StatusSource reaper) {
        this.reaper = reaper;
    }

    /** For tests: a fixed source and store. */
    TtlCommands(StatusSource reaper, SegmentStore store) {
        this.reaper = reaper;
        this.store = store;
    }

    /**
     * Compares every segment's expiry index with its records on this node: one line per segment
     * that differs (with a few example keys), then a summary line. Walks every record: for an
     * operator who doubts the index, not for a script that runs every minute.
     */
    public String verify() {
        SegmentStore s = store;
        if (s == null) {
            return "the store is not available\n";
        }
        StringBuilder out = new StringBuilder();
        long entries = 0;
        long missing = 0;
        long extra = 0;
        for (int segment = 0; segment < s.segmentCount(); segment++) {
            ExpiryIndexCheck c = s.verifyExpiryIndex(segment);
            entries += c.entries();
            missing += c.missing();
            extra += c.extra();
            if (!c.consistent()) {
                out.append("segment ").append(segment).append(": ").append(c.missing()).append(" missing ")
                        .append(examples(c.missingExamples())).append(", ").append(c.extra()).append(" extra ")
                        .append(examples(c.extraExamples())).append('\n');
            }
        }
        out.append(missing == 0 && extra == 0 ? "consistent" : "DIFFERENT").append(": ").append(entries)
                .append(" entries in ").append(s.segmentCount()).append(" segments, ").append(missing)
                .append(" missing, ").append(extra).append(" extra\n");
        return out.toString();
    }

    private static String examples(List<ExpiryEntry> entries) {
        StringBuilder b = new StringBuilder("[");
        for (ExpiryEntry e : entries) {
            b.append(b.length() > 1 ? " " : "").append(Keys.printable(e.key())).append('@').append(e.expiresAt());
        }
        return b.append(']').toString();
    }

    /**
     * The reaper's facts: keys with an expiry, expired not reaped, reaped, failures, lag, ...; and
     * a comment line when segments this node masters wait for anti-entropy before they are reaped.
     */
    public String status() {
        StatusSource s = reaper;
        if (s == null) {
            return "ttl.reaper.running = false\n"
                    + "# the reaper is not active: it waits for the store, the cluster view and the Kv service\n";
        }
        StringBuilder out = new StringBuilder();
        Map<String, Object> facts = s.status();
        for (Map.Entry<String, Object> e : facts.entrySet()) {
            out.append(Reaper.STATUS_NAME).append('.').append(e.getKey()).append(" = ").append(e.getValue()).append('\n');
        }
        if (facts.get(TtlStatus.SEGMENTS_AWAITING_SYNC) instanceof Integer n && n > 0) {
            out.append("# ").append(n).append(n == 1 ? " segment" : " segments")
                    .append(" this node masters not reaped until anti-entropy confirms this node's copy in sync with"
                            + " another replica");
            if (Boolean.FALSE.equals(facts.get(TtlStatus.REPLICA_SYNC_AVAILABLE))) {
                out.append(": no ReplicaSync service (the replication bundle's anti-entropy is not active)");
            }
            out.append('\n');
        }
        return out.toString();
    }
}
