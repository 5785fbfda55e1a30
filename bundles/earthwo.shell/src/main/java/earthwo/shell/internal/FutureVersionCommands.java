package earthwo.shell.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Keys;
import earthwo.api.admin.FutureVersions;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import java.util.List;

/**
 * Gogo command {@code kv:futureversions}: lists the records of this node stored with a version
 * too far ahead of its clock (see {@link FutureVersions}), and with {@code --rewrite} gives them a
 * version of the node's clock now. Writes of such a key fail with CLOCK_SKEW until then.
 */
@Component(service = FutureVersionCommands.class, property = {
        "osgi.command.scope=kv",
        "osgi.command.function=futureversions"})
public final class FutureVersionCommands {

    static final String DEFAULT_LIMIT = "100";

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile FutureVersions versions;

    /** For Declarative Services. */
    public FutureVersionCommands() {
    }

    /** For tests: a fixed service (may be null: unavailable). */
    FutureVersionCommands(FutureVersions versions) {
        this.versions = versions;
    }

    @Descriptor("records of this node stored with a version further ahead of its clock than earthwo.clock.max.offset.ms,"
            + " one 'segment<TAB>key<TAB>version<TAB>ms ahead' line each; --rewrite gives them a version of the node's clock"
            + " now (run it on every node that lists some)")
    public String futureversions(
            @Descriptor("rewrite them instead of listing them")
            @Parameter(names = {"-r", "--rewrite"}, presentValue = "true", absentValue = "false") boolean rewrite,
            @Descriptor("list at most this many (default " + DEFAULT_LIMIT + ")")
            @Parameter(names = {"-l", "--limit"}, absentValue = DEFAULT_LIMIT) int limit) {
        FutureVersions v = versions;
        if (v == null) {
            throw new EarthwoException(ErrorCode.UNAVAILABLE, "the replication bundle's FutureVersions service is unavailable");
        }
        if (rewrite) {
            return "rewrote " + v.rewrite() + " records";
        }
        if (limit < 1) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "--limit must be at least 1, not " + limit);
        }
        List<FutureVersions.Found> found = v.find(limit);
        if (found.isEmpty()) {
            return "no record with a version ahead of this node's clock beyond the maximum offset";
        }
        StringBuilder out = new StringBuilder();
        for (FutureVersions.Found f : found) {
            out.append(f.segment()).append('\t').append(Keys.printable(f.key())).append('\t').append(f.version())
                    .append('\t').append(f.aheadMillis()).append('\n');
        }
        out.append("# ").append(found.size()).append(found.size() == limit ? " shown (--limit reached)" : " found")
                .append("; kv:futureversions --rewrite rewrites them");
        return out.toString();
    }
}
