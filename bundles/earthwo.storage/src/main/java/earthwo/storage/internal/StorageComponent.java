package earthwo.storage.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Record;
import earthwo.api.Version;
import earthwo.api.admin.StatusSource;
import earthwo.api.hooks.EventType;
import earthwo.api.hooks.KeyEvent;
import earthwo.api.storage.CommitBursts;
import earthwo.api.storage.ExpiryEntry;
import earthwo.api.storage.ExpiryIndexCheck;
import earthwo.api.storage.HintStore;
import earthwo.api.storage.IndexEntries;
import earthwo.api.storage.IndexHit;
import earthwo.api.storage.OutboxLoss;
import earthwo.api.storage.ReindexStep;
import earthwo.api.storage.SegmentStore;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.UnaryOperator;

/**
 * The node's {@link SegmentStore} with its {@link CommitBursts}, its {@link HintStore} (hinted handoff, database
 * {@value JeHintStore#DATABASE} in the same JE environment) and its "storage" {@link StatusSource}. Activation opens the
 * JE store (see {@link StorageSettings} for the keys, ConfigAdmin PID {@value StorageSettings#PID});
 * deactivation closes every JE handle, so a bundle update leaves no JE thread and the directory
 * can be reopened at once. A configuration change restarts the component (and reopens the store).
 */
@Component(
        service = {SegmentStore.class, CommitBursts.class, HintStore.class, StatusSource.class},
        configurationPid = StorageSettings.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL,
        immediate = true)
public final class StorageComponent implements SegmentStore, CommitBursts, HintStore, StatusSource {

    private volatile JeSegmentStore store;

    @Activate
    void activate(BundleContext context, Map<String, Object> config) {
        activate(config, context::getProperty);
    }

    /** Opens the store; {@code framework} looks up framework properties. */
    void activate(Map<String, ?> config, UnaryOperator<String> framework) {
        store = JeSegmentStore.open(StorageSettings.resolve(config, framework));
    }

    @Deactivate
    void deactivate() {
        JeSegmentStore s = store;
        if (s != null) {
            s.close();
        }
    }

    private JeSegmentStore store() {
        JeSegmentStore s = store;
        if (s == null) {
            throw new EarthwoException(ErrorCode.UNAVAILABLE, "storage is not active");
        }
        return s;
    }

    @Override
    public boolean begin() {
        JeSegmentStore s = store;
        return s != null && s.begin();
    }

    @Override
    public void end() {
        JeSegmentStore s = store;
        if (s != null) {
            s.end();
        }
    }

    @Override
    public Optional<Record> read(int segment, byte[] key) {
        return store().read(segment, key);
    }

    @Override
    public ApplyResult apply(int segment, Record record) {
        return store().apply(segment, record);
    }

    @Override
    public ApplyResult applyDeferred(int segment, Record record) {
        return store().applyDeferred(segment, record);
    }

    @Override
    public ApplyResult applyDeferredIf(int segment, Record record, Version expected) {
        return store().applyDeferredIf(segment, record, expected);
    }

    @Override
    public ApplyResult applyDeferred(int segment, Record record, EventType type) {
        return store().applyDeferred(segment, record, type);
    }

    @Override
    public ApplyResult applyDeferredIf(int segment, Record record, Version expected, EventType type) {
        return store().applyDeferredIf(segment, record, expected, type);
    }

    @Override
    public CompletionStage<Void> durable() {
        return store().durable();
    }

    @Override
    public List<Record> scan(int segment, byte[] prefix, byte[] startAfter, int limit) {
        return store().scan(segment, prefix, startAfter, limit);
    }

    @Override
    public List<ExpiryEntry> expiring(int segment, long upTo, int limit) {
        return store().expiring(segment, upTo, limit);
    }

    @Override
    public long expiryIndexSize(int segment) {
        return store().expiryIndexSize(segment);
    }

    @Override
    public ExpiryIndexCheck verifyExpiryIndex(int segment) {
        return store().verifyExpiryIndex(segment);
    }

    @Override
    public boolean keepsOutbox() {
        return store().keepsOutbox();
    }

    @Override
    public void keepOutbox() {
        store().keepOutbox();
    }

    @Override
    public List<KeyEvent> events(int segment, Version after, int limit) {
        return store().events(segment, after, limit);
    }

    @Override
    public List<KeyEvent> events(int segment, Version after, long throughMillis, int limit) {
        return store().events(segment, after, throughMillis, limit);
    }

    @Override
    public long trimEvents(int segment, Version through) {
        return store().trimEvents(segment, through);
    }

    @Override
    public long outboxSize(int segment) {
        return store().outboxSize(segment);
    }

    @Override
    public OutboxLoss outboxLoss(int segment) {
        return store().outboxLoss(segment);
    }

    @Override
    public Map<Integer, Version> positions(String name) {
        return store().positions(name);
    }

    @Override
    public void savePosition(String name, int segment, Version through) {
        store().savePosition(name, segment, through);
    }

    @Override
    public Map<String, Long> positionNames() {
        return store().positionNames();
    }

    @Override
    public void dropPositions(String name) {
        store().dropPositions(name);
    }

    @Override
    public void useIndexEntries(IndexEntries entries) {
        store().useIndexEntries(entries);
    }

    @Override
    public void noteIndexesDefined(boolean defined) {
        store().noteIndexesDefined(defined);
    }

    @Override
    public int catchUpIndexes(int segment, int limit) {
        return store().catchUpIndexes(segment, limit);
    }

    @Override
    public long unindexedChanges() {
        return store().unindexedChanges();
    }

    @Override
    public ReindexStep reindex(int segment, byte[] startAfter, int limit, IndexEntries entries) {
        return store().reindex(segment, startAfter, limit, entries);
    }

    @Override
    public List<IndexHit> indexEntries(int segment, byte[] from, byte[] to, int limit) {
        return store().indexEntries(segment, from, to, limit);
    }

    @Override
    public int dropIndexEntries(int segment, byte[] prefix, int limit) {
        return store().dropIndexEntries(segment, prefix, limit);
    }

    @Override
    public long indexEntryCount(int segment, int indexId) {
        return store().indexEntryCount(segment, indexId);
    }

    @Override
    public boolean purge(int segment, Record record) {
        return store().purge(segment, record);
    }

    @Override
    public long count(int segment) {
        return store().count(segment);
    }

    @Override
    public long changeCount(int segment) {
        return store().changeCount(segment);
    }

    @Override
    public int segmentCount() {
        return store().segmentCount();
    }

    @Override
    public void add(int node, int segment, Record record) {
        store().hints().add(node, segment, record);
    }

    @Override
    public List<Hint> peek(int node, int limit) {
        return store().hints().peek(node, limit);
    }

    @Override
    public void remove(Hint hint) {
        store().hints().remove(hint);
    }

    @Override
    public Map<Integer, Long> pending() {
        return store().hints().pending();
    }

    @Override
    public String name() {
        return StorageStatus.NAME;
    }

    @Override
    public Map<String, Object> status() {
        return StorageStatus.of(store());
    }
}
