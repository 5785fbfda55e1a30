package earthwo.indexes.internal;

import earthwo.api.indexes.Indexes;

/** The index:* commands' view of the indexes component: the service, plus what only operators use. */
public interface IndexAdmin extends Indexes {

    /** Compares the named index's entries on this node with its records. */
    IndexVerifier.Report verify(String name);
}
