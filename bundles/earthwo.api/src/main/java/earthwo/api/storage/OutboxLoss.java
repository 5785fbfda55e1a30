package earthwo.api.storage;

import earthwo.api.Version;

/**
 * Events a segment's outbox dropped because it was full ({@link SegmentStore#outboxLoss}): the
 * newest dropped version and how many were dropped in all. A hook whose position is below
 * {@code through} lost some of them and is told so with a GAP event.
 */
public record OutboxLoss(Version through, long count) {
}
