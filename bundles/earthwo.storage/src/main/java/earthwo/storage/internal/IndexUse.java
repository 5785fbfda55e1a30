package earthwo.storage.internal;

import earthwo.api.storage.IndexEntries;

/**
 * What a store's writes do about secondary indexes while indexes are in use or defined: keep
 * every record's entries with {@code entries} in its transaction, or, with {@code entries} null
 * (indexes are defined but none is in use), keep every change as an unindexed change for a later
 * catch-up. Writers read it once per write; with no index defined and none in use there is no
 * IndexUse at all, and a write pays one volatile read and a branch.
 */
record IndexUse(IndexEntries entries) {
}
