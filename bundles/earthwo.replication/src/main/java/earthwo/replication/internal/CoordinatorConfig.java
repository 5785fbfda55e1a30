package earthwo.replication.internal;

import earthwo.api.Limits;
import earthwo.api.WriteConcern;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Settings of the write coordinator (ConfigAdmin PID {@code earthwo.replication}). */
@ObjectClassDefinition(name = "Earthwo write coordinator")
@interface CoordinatorConfig {

    @AttributeDefinition(description = "Largest key accepted, in bytes")
    int max_key_bytes() default Limits.MAX_KEY_BYTES;

    @AttributeDefinition(description = "Largest value accepted, in bytes")
    int max_value_bytes() default Limits.MAX_VALUE_BYTES;

    @AttributeDefinition(description = "Write concern of writes that do not choose one: ONE, QUORUM or ALL")
    WriteConcern default_write_concern() default WriteConcern.QUORUM;

    @AttributeDefinition(description = "How long a replica may take to acknowledge a write before it gets a hint, in ms")
    long replica_timeout_ms() default 2000;

    @AttributeDefinition(description = "How long a forwarded write may take on the replica it was forwarded to, in ms")
    long forward_timeout_ms() default 5000;

    @AttributeDefinition(description = "Pause between hint replay passes, in ms (also the first backoff after a failure)")
    long hint_replay_interval_ms() default 1000;

    @AttributeDefinition(description = "Longest backoff between hint replay attempts to a node that keeps failing, in ms")
    long hint_replay_max_backoff_ms() default 30000;

    @AttributeDefinition(description = "Hints read from storage at a time when replaying to one node")
    int hint_replay_batch() default 256;
}
