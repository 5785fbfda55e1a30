package earthwo.hooks.internal;

import earthwo.api.admin.StatusSource;
import earthwo.api.cluster.ClusterDocuments;
import earthwo.api.cluster.ClusterView;
import earthwo.api.cluster.PeerHandler;
import earthwo.api.cluster.PeerLinks;
import earthwo.api.hooks.KeyHook;
import earthwo.api.storage.SegmentStore;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The hooks dispatcher as a Declarative Services component (DESIGN §7): the {@link KeyHook}
 * whiteboard ({@link HookRegistry}: one delivering thread per hook), the position sync, the
 * outbox trimming and the watch for stuck hooks ({@link Housekeeping}), the receiver of positions
 * from other masters (peer message {@value PositionMessages#TYPE}) and of new masters' questions
 * for them ({@value PositionMessages#ASK}), the "hooks" {@link StatusSource}, the
 * {@link HookAdmin} behind the hook:* commands, and the {@link OutboxSwitch} that switches the
 * outbox on, on every node, when a hook registers.
 *
 * <p>The store, the cluster view and the cluster documents are static, mandatory references: a replacement of either
 * (a bundle update) deactivates this component, which stops every hook thread (waiting for
 * deliveries in flight up to their timeout, at most {@value HookRegistry#MAX_STOP_WAIT_MS} ms in
 * all) and starts them again on the new one, from the stored positions. Hooks are dynamic,
 * multiple and greedy: a hook bundle that comes or goes starts or stops only its own thread.
 * Node-to-node links are optional: a single node has none.
 *
 * <p>Settings: {@link HooksSettings} (PID {@value HooksSettings#PID}).
 */
@Component(service = {StatusSource.class, PeerHandler.class, HookAdmin.class}, configurationPid = HooksSettings.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true,
        property = {HooksComponent.STATUS_PROPERTY + "=" + HooksComponent.STATUS_NAME,
                PeerHandler.MESSAGE_TYPES + ":Integer=" + PositionMessages.TYPE,
                PeerHandler.MESSAGE_TYPES + ":Integer=" + PositionMessages.ASK})
public final class HooksComponent implements StatusSource, PeerHandler, HookAdmin {

    static final String STATUS_NAME = "hooks";
    static final String STATUS_PROPERTY = "earthwo.status.name";

    private static final Logger LOG = LoggerFactory.getLogger(HooksComponent.class);

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile PeerLinks links;

    private final int nodeId;
    private final HooksSettings settings;
    private final SegmentStore store;
    private final OutboxSwitch outboxSwitch;
    private final HookRegistry registry;
    private final PendingCensus census;
    private final PositionReceiver receiver;
    private final Housekeeping housekeeping;
    private final LongAdder positionsSent = new LongAdder();
    private final LongAdder positionsReceived = new LongAdder();
    private final LongAdder trimmed = new LongAdder();
    private final LongAdder asked = new LongAdder();
    private final LongAdder unanswered = new LongAdder();
    private final LongAdder answered = new LongAdder();

    @Activate
    public HooksComponent(@Reference SegmentStore store, @Reference ClusterView cluster,
                          @Reference ClusterDocuments documents, BundleContext context, Map<String, Object> config) {
        this(store, cluster, documents, HooksSettings.resolve(config, context::getProperty), System::currentTimeMillis,
                PositionAsk.LINKS_WAIT_MS);
    }

    /**
     * Starts the housekeeping thread and the outbox switch. {@code clock}: wall clock,
     * epoch ms; {@code linksWaitMs}: how long a new master's question for positions waits for
     * node-to-node links that are not bound yet.
     */
    HooksComponent(SegmentStore store, ClusterView cluster, ClusterDocuments documents, HooksSettings settings,
                   LongSupplier clock, long linksWaitMs) {
        this.nodeId = cluster.localNodeId();
        this.settings = settings;
        this.store = store;
        PositionAsk ask = new PositionAsk(cluster, () -> links, PositionAsk.TIMEOUT, linksWaitMs, asked, unanswered);
        this.registry = new HookRegistry(nodeId, false, (spec, hook, stats, paused) ->
                new HookRunner(spec, hook, store, cluster, stats, clock, settings.settleMs, paused, ask));
        this.census = new PendingCensus(store, cluster, clock);
        this.receiver = new PositionReceiver(store, cluster, positionsReceived, registry::offer, answered);
        PositionSync sync = new PositionSync(cluster, () -> links, registry::positions, positionsSent);
        OutboxTrimmer trimmer = new OutboxTrimmer(store, cluster, registry::names, clock, settings.forgetAfterMs,
                settings.unclaimedRetainMs, trimmed);
        this.housekeeping = new Housekeeping(sync::run, settings.positionSyncMs, trimmer::run, registry::checkStuck,
                nodeId);
        this.outboxSwitch = new OutboxSwitch(store, documents, nodeId, registry::outboxOn);
        housekeeping.start();
        outboxSwitch.start();
        LOG.info("node {} hooks dispatcher started, outbox {} ({})", nodeId, store.keepsOutbox() ? "on"
                : "off until a hook registers on a node of the cluster", settings);
    }

    /**
     * Stops the housekeeping thread and every hook thread, all told at once, and waits for them
     * at most {@value HookRegistry#MAX_STOP_WAIT_MS} ms (plus a moment): a hook stuck in its
     * deliver is left behind, so a node's stop is not held up by a hook.
     */
    @Deactivate
    void deactivate() {
        outboxSwitch.close();
        housekeeping.requestStop();
        boolean ended = registry.close();
        ended &= housekeeping.stop(HookRegistry.MAX_STOP_WAIT_MS);
        if (ended) {
            LOG.info("node {} hooks dispatcher stopped", nodeId);
        }
    }

    @Reference(service = KeyHook.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeHook", updated = "updatedHook")
    void addHook(ServiceReference<KeyHook> ref, KeyHook hook) {
        add(hook, properties(ref), bundleName(ref), serviceId(ref));
    }

    void updatedHook(ServiceReference<KeyHook> ref, KeyHook hook) {
        // New properties may change the name or the filter: the hook starts again from its position.
        remove(serviceId(ref));
        add(hook, properties(ref), bundleName(ref), serviceId(ref));
    }

    void removeHook(ServiceReference<KeyHook> ref, KeyHook hook) {
        remove(serviceId(ref));
    }

    /** Takes a hook service with its properties; a hook with bad properties is refused with an error. */
    void add(KeyHook hook, Map<String, ?> properties, String bundle, long serviceId) {
        HookSpec spec;
        try {
            spec = HookSpec.parse(properties, bundle, serviceId, settings);
        } catch (IllegalArgumentException e) {
            LOG.error("node {}: hook service {} of bundle {} is refused: {}", nodeId, serviceId, bundle, e.getMessage());
            return;
        }
        outboxSwitch.hookRegistered(spec.name());
        registry.add(hook, spec);
    }

    void remove(long serviceId) {
        registry.remove(serviceId);
    }

    /** For tests: the figures of a hook name. */
    HookStats stats(String name) {
        return registry.stats(name);
    }

    /** For tests: the service id of the hook accepted under the name. */
    long serviceId(String name) {
        return registry.serviceId(name);
    }

    /** For tests: node-to-node links as DS would bind them. */
    void setLinks(PeerLinks l) {
        this.links = l;
    }

    @Override
    public CompletionStage<byte[]> handle(byte[] payload) {
        return receiver.handle(payload);
    }

    @Override
    public List<HookView> hooks() {
        List<HookView> out = new ArrayList<>();
        for (HookRegistry.Entry e : registry.entries()) {
            out.add(view(e));
        }
        return out;
    }

    private HookView view(HookRegistry.Entry e) {
        HookSpec s = e.spec();
        Object pending = HookView.NO_VALUE;
        Object oldest = HookView.NO_VALUE;
        if (e.state() != HookState.NO_OUTBOX && e.state() != HookState.REFUSED) {
            try {
                PendingCensus.Counts c = census.counts(s.name(), e.positions());
                pending = c.pendingShown();
                oldest = c.oldestAgeMs() < 0 ? 0 : c.oldestAgeMs();
            } catch (RuntimeException ex) {
                pending = "unavailable: " + Delivery.describe(ex);
                oldest = pending;
            }
        }
        HookStats st = e.stats();
        return new HookView(s.name(), s.bundle(), s.filter().prefixesShown(), s.filter().typesShown(), e.state(),
                st.delivered.sum(), st.retried.sum(), st.failed.sum(), st.gaps.sum(), pending, oldest,
                st.lag.percentile(50), st.lag.percentile(99), e.stuckMs());
    }

    @Override
    public void pause(String name) {
        registry.pause(name);
    }

    @Override
    public void resume(String name) {
        registry.resume(name);
    }

    @Override
    public String name() {
        return STATUS_NAME;
    }

    @Override
    public Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("outbox", store.keepsOutbox());
        List<HookView> views = hooks();
        m.put("registered", views.stream().filter(v -> v.state() != HookState.REFUSED).count());
        m.put("refused", views.stream().filter(v -> v.state() == HookState.REFUSED).count());
        m.put("positions.sent", positionsSent.sum());
        m.put("positions.received", positionsReceived.sum());
        m.put("positions.asked", asked.sum());
        m.put("positions.unanswered", unanswered.sum());
        m.put("positions.answered", answered.sum());
        m.put("stuck", views.stream().filter(v -> v.stuckMs() > 0).count());
        m.put("outbox.trimmed", trimmed.sum());
        for (HookView v : views) {
            if (v.state() != HookState.REFUSED) {
                v.facts().forEach((k, value) -> m.put(v.name() + "." + k, value));
            }
        }
        return m;
    }

    private static Map<String, Object> properties(ServiceReference<?> ref) {
        Map<String, Object> m = new HashMap<>();
        for (String k : ref.getPropertyKeys()) {
            m.put(k, ref.getProperty(k));
        }
        return m;
    }

    private static String bundleName(ServiceReference<?> ref) {
        Bundle b = ref.getBundle();
        return b == null ? "(unregistered)" : b.getSymbolicName();
    }

    private static long serviceId(ServiceReference<?> ref) {
        Object id = ref.getProperty(Constants.SERVICE_ID);
        return id instanceof Number n ? n.longValue() : -1;
    }
}
