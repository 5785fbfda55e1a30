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
}
