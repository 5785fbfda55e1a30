package earthwo.channels.internal;

import earthwo.api.EarthwoException;
import earthwo.api.channels.ChannelInfo;
import earthwo.api.channels.Channels;
import earthwo.api.channels.PublishResult;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Gogo commands {@code channel:publish CHANNEL MESSAGE} and {@code channel:list}. A plain service
 * with {@code osgi.command.scope}: Gogo calls the public methods, so this bundle needs no Gogo
 * import. A component of its own with an optional reference, so the commands say so while
 * channels are not active.
 */
@Component(service = ChannelCommands.class, property = {
        "osgi.command.scope=channel",
        "osgi.command.function=publish",
        "osgi.command.function=list"})
public final class ChannelCommands {

    static final String NOT_ACTIVE = "# channels are not active: they wait for the cluster view\n";
    /** How long publish waits for the interested nodes' answers. */
    static final long PUBLISH_WAIT_S = 30;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile Channels channels;

    /** For Declarative Services. */
    public ChannelCommands() {
    }

    /** For tests: fixed channels (null: not active). */
    ChannelCommands(Channels channels) {
        this.channels = channels;
    }

    /** Publishes MESSAGE (UTF-8) on CHANNEL from this node; says under which id and sequence, and how many nodes took it. */
    public String publish(String channel, String message) throws InterruptedException {
        Channels c = channels;
        if (c == null) {
            throw new IllegalStateException(NOT_ACTIVE.substring(2).trim());
        }
        PublishResult r;
        try {
            r = c.publish(channel, message.getBytes(StandardCharsets.UTF_8)).toCompletableFuture()
                    .get(PUBLISH_WAIT_S, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof EarthwoException ee ? ee : new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("no answer within " + PUBLISH_WAIT_S + " s");
        }
        return "published on " + channel + " as " + r.publisherId() + " #" + r.sequence() + ", taken by " + r.nodes()
                + (r.nodes() == 1 ? " node" : " nodes") + (r.failedNodes() == 0 ? "" : ", " + r.failedNodes()
                + " did not take it") + "\n";
    }

    /**
     * One line per channel this node knows: its name, then subscribers (on this node), published
     * (here), received (from other nodes), forwarded (copies sent to other nodes), delivered (to
     * this node's subscribers), dropped, cut.off (subscribers closed as slow consumers) and
     * retained (in this node's window), each as {@code key=value}.
     */
    public String list() {
        Channels c = channels;
        if (c == null) {
            return NOT_ACTIVE;
        }
        List<ChannelInfo> infos = c.list();
        if (infos.isEmpty()) {
            return "# no channel is known on this node\n";
        }
        StringBuilder out = new StringBuilder();
        for (ChannelInfo i : infos) {
            out.append(i.name()).append(" subscribers=").append(i.subscribers()).append(" published=")
                    .append(i.published()).append(" received=").append(i.received()).append(" forwarded=")
                    .append(i.forwarded()).append(" delivered=").append(i.delivered()).append(" dropped=")
                    .append(i.dropped()).append(" cut.off=").append(i.cutOff()).append(" retained=")
                    .append(i.retained()).append('\n');
        }
        return out.toString();
    }
}
