package earthwo.shell.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of {@link GogoAdminCommands} (PID {@code earthwo.shell.admin}). */
@ObjectClassDefinition(name = "Earthwo admin commands",
        description = "Limits for Gogo command lines run remotely (bin/earthwo exec / shell)")
public @interface AdminConfig {

    @AttributeDefinition(description = "Most UTF-8 bytes of output a command may produce; more fails it. "
            + "Default 2 MiB so that a maximum-size value (1 MiB) read by kv:get fits.")
    int max_output_bytes() default 2 * 1024 * 1024;

    @AttributeDefinition(description = "Time limit of one command line in milliseconds, queueing included")
    long timeout_ms() default 30_000L;

    @AttributeDefinition(description = "Command lines run at the same time")
    int max_concurrent() default 4;

    @AttributeDefinition(description = "Command lines waiting for a thread; more are refused as busy")
    int max_queued() default 16;

    @AttributeDefinition(description = "Longest command line accepted, in characters")
    int max_command_chars() default 64 * 1024;
}
