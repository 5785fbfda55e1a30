package earthwo.hooks.internal;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import java.util.List;

/**
 * Gogo commands {@code hook:list}, {@code hook:pause NAME} and {@code hook:resume NAME} (also
 * through {@code bin/earthwo exec}). A plain service with {@code osgi.command.scope}: Gogo calls
 * the public methods, so this bundle needs no Gogo import. An unknown name is an
 * IllegalArgumentException, which exec reports as a failed command with its message.
 *
 * <p>A component of its own with an optional reference to the dispatcher, so the commands exist
 * and say so while the dispatcher is not active (it waits for the store and the cluster view,
 * e.g. during an update of their bundles).
 */
@Component(service = HookCommands.class, property = {
        "osgi.command.scope=hook",
        "osgi.command.function=list",
        "osgi.command.function=pause",
        "osgi.command.function=resume"})
public final class HookCommands {

    static final String NOT_ACTIVE = "# the hooks dispatcher is not active: it waits for the store and the cluster view\n";

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile HookAdmin admin;

    /** For Declarative Services. */
    public HookCommands() {
    }

    /** For tests: a fixed dispatcher (null: not active). */
    HookCommands(HookAdmin admin) {
        this.admin = admin;
    }

    /**
     * One line per hook: its name, then bundle, prefixes, events, state (active, paused,
     * retrying, stuck, no-outbox, refused), delivered, retried, failed, gaps, pending (events
     * after its position in the segments this node masters), pending.oldest.ms, lag.p50.ms /
     * lag.p99.ms (acknowledgement time minus the version's time) and stuck.ms (how long a stuck
     * hook's deliver call has run, else 0), each as {@code key=value}. A hook is stuck while a
     * deliver call has not returned for longer than its timeout.
     */
    public String list() {
        HookAdmin a = admin;
        if (a == null) {
            return NOT_ACTIVE;
        }
        List<HookView> hooks = a.hooks();
        if (hooks.isEmpty()) {
            return "# no hook is registered on this node\n";
        }
        StringBuilder out = new StringBuilder();
        for (HookView v : hooks) {
            out.append(v.line()).append('\n');
        }
        return out.toString();
    }

    /** Stops delivering to the hook; its position stays, and it resumes from there. */
    public String pause(String name) {
        active().pause(name);
        return "hook '" + name + "' paused\n";
    }

    /** Delivers to a paused hook again, from its position. */
    public String resume(String name) {
        active().resume(name);
        return "hook '" + name + "' resumed\n";
    }

    private HookAdmin active() {
        HookAdmin a = admin;
        if (a == null) {
            throw new IllegalStateException(NOT_ACTIVE.substring(2).trim());
        }
        return a;
    }
}
