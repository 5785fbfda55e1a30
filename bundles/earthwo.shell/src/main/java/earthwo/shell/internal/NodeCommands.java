package earthwo.shell.internal;

import earthwo.api.admin.StatusSource;
import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Gogo command {@code node:status}: the union of every {@link StatusSource} service
 * (whiteboard), each fact as {@code name.key}, plus the node's own facts under {@code node.}:
 * bundle count, active bundles and uptime of the node process.
 *
 * <p>Sources are tracked with a dynamic, multiple, greedy reference; a source is dropped from
 * the list in its unbind, so none is kept (or called) after it went away. A source that throws
 * shows as {@code name.error = message} instead of failing the whole command.
 */
@Component(service = NodeCommands.class, property = {
        "osgi.command.scope=node",
        "osgi.command.function=status"})
public final class NodeCommands {

    /** Bundle counts of the framework. */
    record BundleStats(int total, int active) {
    }

    private final List<StatusSource> sources = new CopyOnWriteArrayList<>();
    private volatile Supplier<BundleStats> bundles;
    private final LongSupplier uptimeMillis;

    /** For Declarative Services. */
    public NodeCommands() {
        this(() -> new BundleStats(0, 0), () -> ManagementFactory.getRuntimeMXBean().getUptime());
    }

    /** For tests: fixed bundle counts and uptime. */
    NodeCommands(Supplier<BundleStats> bundles, LongSupplier uptimeMillis) {
        this.bundles = bundles;
        this.uptimeMillis = uptimeMillis;
    }

    @Activate
    void activate(BundleContext context) {
        this.bundles = () -> {
            Bundle[] all = context.getBundles();
            int active = 0;
            for (Bundle b : all) {
                if (b.getState() == Bundle.ACTIVE) {
                    active++;
                }
            }
            return new BundleStats(all.length, active);
        };
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeSource")
    void addSource(StatusSource source) {
        sources.add(source);
    }

    void removeSource(StatusSource source) {
        sources.remove(source);
    }

    @Descriptor("status of this node: every status source's facts as name.key = value, sorted, "
            + "and the node's bundle count and uptime")
    public NodeStatus status() {
        Map<String, Object> facts = new TreeMap<>();
        for (StatusSource s : sources) {
            String name;
            try {
                name = s.name();
            } catch (RuntimeException e) {
                continue; // going away while we ask; its unbind follows
            }
            try {
                Map<String, Object> m = s.status();
                if (m != null) {
                    m.forEach((k, v) -> facts.put(name + "." + k, v));
                }
            } catch (RuntimeException e) {
                facts.put(name + ".error", e.getMessage() == null ? e.getClass().getName() : e.getMessage());
            }
        }
        BundleStats b = bundles.get();
        long up = uptimeMillis.getAsLong();
        facts.put("node.bundles", b.total());
        facts.put("node.bundles.active", b.active());
        facts.put("node.uptime", formatUptime(up));
        facts.put("node.uptime.ms", up);
        return new NodeStatus(facts);
    }

    /** "3d 04:05:06" or "04:05:06". */
    static String formatUptime(long millis) {
        Duration d = Duration.ofMillis(Math.max(0, millis));
        String hms = String.format("%02d:%02d:%02d", d.toHoursPart(), d.toMinutesPart(), d.toSecondsPart());
        return d.toDays() > 0 ? d.toDays() + "d " + hms : hms;
    }
}
