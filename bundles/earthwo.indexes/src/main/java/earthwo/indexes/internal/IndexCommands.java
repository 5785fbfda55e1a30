package earthwo.indexes.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Futures;
import earthwo.api.Keys;
import earthwo.api.indexes.IndexInfo;
import earthwo.api.indexes.IndexPage;
import earthwo.api.indexes.IndexQuery;
import earthwo.api.indexes.IndexRow;
import earthwo.api.indexes.IndexType;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import java.util.List;
import java.util.Locale;

/**
 * Gogo commands {@code index:create}, {@code index:list}, {@code index:drop}, {@code index:verify}
 * and {@code index:query} (also through {@code bin/earthwo exec}). A component of its own with an
 * optional reference to the indexes, so the commands exist and say so while the indexes are not
 * active (waiting for the store or the cluster, e.g. during an update of their bundles).
 */
@Component(service = IndexCommands.class, property = {
        "osgi.command.scope=index",
        "osgi.command.function=create",
        "osgi.command.function=list",
        "osgi.command.function=drop",
        "osgi.command.function=verify",
        "osgi.command.function=query"})
public final class IndexCommands {

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile IndexAdmin indexes;

    /** For Declarative Services. */
    public IndexCommands() {
    }

    /** For tests: fixed indexes (null: not active). */
    IndexCommands(IndexAdmin indexes) {
        this.indexes = indexes;
    }

    @Descriptor("define an index for the whole cluster and fill it with the records stored (online)")
    public String create(
            @Descriptor("value type: string (default), long or double")
            @Parameter(names = {"-t", "--type"}, absentValue = "string") String type,
            @Descriptor("index name: 1..64 of A-Z a-z 0-9 _ . -") String name,
            @Descriptor("extractor: json:$.field, json:$.tags[*], key:REGEX (group 1) or SCHEME:... of a plug-in")
            String extractor) {
        IndexInfo i = active().create(name, extractor, IndexType.parse(type));
        return "index '" + i.name() + "' defined (id " + i.id() + ", " + i.extractor() + ", "
                + i.type().name().toLowerCase(Locale.ROOT) + "); every node builds it now\n";
    }

    @Descriptor("the indexes: name, extractor, type, state on this node, entries here, build progress, failures")
    public String list() {
        List<IndexInfo> all = active().list();
        if (all.isEmpty()) {
            return "# no index is defined\n";
        }
        StringBuilder out = new StringBuilder();
        for (IndexInfo i : all) {
            out.append(i.name()).append(" extractor=").append(i.extractor())
                    .append(" type=").append(i.type().name().toLowerCase(Locale.ROOT))
                    .append(" state=").append(i.state().shown())
                    .append(" entries=").append(i.entries())
                    .append(" progress=").append(Math.round(i.progress() * 100)).append('%')
                    .append(" extract.failures=").append(i.extractFailures())
                    .append(" type.mismatches=").append(i.typeMismatches())
                    .append(" refused.values=").append(i.refusedValues());
            if (!i.reason().isEmpty()) {
                out.append(" reason=\"").append(i.reason()).append('"');
            }
            out.append('\n');
        }
        return out.toString();
    }

    @Descriptor("drop an index: queries no longer find it; every node removes its entries in the background")
    public String drop(@Descriptor("index name") String name) {
        active().drop(name);
        return "index '" + name + "' dropped\n";
    }

    @Descriptor("compare an index's entries on this node with its records")
    public String verify(@Descriptor("index name") String name) {
        return active().verify(name).text();
    }

    @Descriptor("records by index value, in (value, key) order, as key<TAB>value-indexed<TAB>value lines; a last"
            + " '# next:' line gives the cursor of the next page")
    public String query(
            @Descriptor("exact value") @Parameter(names = {"-e", "--eq"}, absentValue = "") String eq,
            @Descriptor("lowest value (inclusive)") @Parameter(names = {"-f", "--from"}, absentValue = "") String from,
            @Descriptor("highest value (inclusive)") @Parameter(names = {"-t", "--to"}, absentValue = "") String to,
            @Descriptor("rows at most, 1.." + IndexQuery.MAX_LIMIT)
            @Parameter(names = {"-l", "--limit"}, absentValue = "100") int limit,
            @Descriptor("the cursor of the page before") @Parameter(names = {"-a", "--after"}, absentValue = "") String after,
            @Descriptor("keys and index values only")
            @Parameter(names = {"-k", "--keys-only"}, presentValue = "true", absentValue = "false") boolean keysOnly,
            @Descriptor("index name") String name) {
        if (!eq.isEmpty() && (!from.isEmpty() || !to.isEmpty())) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "give --eq, or --from and/or --to, not both");
        }
        IndexQuery q = (eq.isEmpty() ? IndexQuery.range(name, blankAsNull(from), blankAsNull(to)) : IndexQuery.eq(name, eq))
                .limit(limit).after(blankAsNull(after)).keysOnly(keysOnly);
        IndexPage page = Futures.join(active().query(q));
        StringBuilder out = new StringBuilder();
        for (IndexRow r : page.rows()) {
            out.append(Keys.printable(r.key())).append('\t').append(r.indexValue());
            if (r.record() != null) {
                out.append('\t').append(Keys.printable(r.record().value()));
            }
            out.append('\n');
        }
        if (page.hasMore()) {
            out.append("# next: --after ").append(page.cursor()).append('\n');
        }
        return out.toString();
    }

    private static String blankAsNull(String s) {
        return s.isEmpty() ? null : s;
    }

    private IndexAdmin active() {
        IndexAdmin a = indexes;
        if (a == null) {
            throw new EarthwoException(ErrorCode.UNAVAILABLE, "the indexes are not active on this node: they wait for"
                    + " the store, the cluster and its documents");
        }
        return a;
    }
}
