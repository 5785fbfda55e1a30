package earthwo.channels.internal;

import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import java.io.IOException;

/**
 * Gogo commands (also {@code bin/earthwo exec}) for channel mirrors, the hooks that publish key
 * events on a channel: {@code channel:mirror NAME CHANNEL [--prefix P]... [--events E,E]
 * [--values [--values-max-bytes N]]} creates or replaces one, {@code channel:unmirror NAME}
 * removes it, {@code channel:mirrors} lists them. They write the factory configurations of PID
 * {@value MirrorSettings#PID}; bad input changes nothing and says why.
 *
 * <p>A plain service with {@code osgi.command.scope}, as {@link ChannelCommands}: no Gogo import.
 * ConfigurationAdmin is an optional reference, so the commands exist and say so while it is away.
 */
@Component(service = MirrorCommands.class, property = {
        "osgi.command.scope=channel",
        "osgi.command.function=mirror",
        "osgi.command.function=unmirror",
        "osgi.command.function=mirrors"})
public final class MirrorCommands {

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ConfigurationAdmin configAdmin;

    /** For Declarative Services. */
    public MirrorCommands() {
    }

    /** For tests: a fixed ConfigurationAdmin (null: unavailable). */
    MirrorCommands(ConfigurationAdmin configAdmin) {
        this.configAdmin = configAdmin;
    }

    /** Creates or replaces a mirror: NAME CHANNEL [options]. */
    public String mirror(String... args) throws IOException {
        MirrorCommandLine line = MirrorCommandLine.parse(args);
        return configs().put(line);
    }

    /** Removes the mirror NAME. */
    public String unmirror(String name) throws IOException {
        return configs().delete(name);
    }

    /** The configured mirrors, one line each. */
    public String mirrors() throws IOException {
        return configs().list();
    }

    private MirrorConfigs configs() {
        ConfigurationAdmin admin = configAdmin;
        if (admin == null) {
            throw new IllegalStateException("ConfigurationAdmin is not available: channel mirrors cannot be read or"
                    + " changed now");
        }
        return new MirrorConfigs(admin);
    }
}
