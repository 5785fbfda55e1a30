package earthwo.api.cluster;

/** How the replicas of a segment reconcile after a partition (DESIGN §6). */
public enum ReconcilePolicy {
    /** Anti-entropy merge, last writer wins, the master's version wins exact ties. */
    MERGE,
    /** The master's copy is the ultimate copy; the other replicas take its whole segment. */
    MASTER
}
