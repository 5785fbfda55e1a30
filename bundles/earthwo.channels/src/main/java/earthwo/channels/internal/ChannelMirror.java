package earthwo.channels.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.channels.Channels;
import earthwo.api.channels.PublishResult;
import earthwo.api.hooks.KeyEvent;
import earthwo.api.hooks.KeyHook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The hook of one channel mirror: publishes each event it is given on the mirror's channel, as a
 * {@link MirrorMessage}, in the batch's order, so a key's events follow each other on the channel
 * as they happened.
 *
 * <p>A batch is acknowledged once every publish of it completed, and fails when a publish is
 * refused (channels stopping, a message over the node's limit): the hooks runtime then delivers
 * the batch again, so subscribers may see an event twice and tell it by its {@code id}. A publish
 * that some node did not take still completes: channels do not resend to a node (its subscribers
 * see a gap), and failing the batch would only repeat the event to every other node.
 */
final class ChannelMirror implements KeyHook {

    private static final Logger LOG = LoggerFactory.getLogger(ChannelMirror.class);

    private final MirrorSettings settings;
    private final Channels channels;
    private final MirrorMessage messages;

    ChannelMirror(MirrorSettings settings, Channels channels) {
        this.settings = settings;
        this.channels = channels;
        this.messages = new MirrorMessage(settings);
    }

    @Override
    public CompletionStage<Void> deliver(List<KeyEvent> events) {
        CompletableFuture<?>[] publishes = new CompletableFuture<?>[events.size()];
        try {
            for (int i = 0; i < publishes.length; i++) {
                publishes[i] = publish(events.get(i));
            }
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return CompletableFuture.allOf(publishes);
    }

    private CompletableFuture<PublishResult> publish(KeyEvent e) {
        try {
            return channels.publish(settings.channel, messages.encode(e)).toCompletableFuture();
        } catch (EarthwoException tooLarge) {
            if (tooLarge.code() != ErrorCode.TOO_LARGE || !messages.carriesValue(e)) {
                throw tooLarge;
            }
            // The node's message limit is below the mirror's value limit: rather than a batch that
            // fails forever, the event goes without its value (the message says it was omitted).
            LOG.debug("mirror {}: {} published on {} without its value: {}", settings.name, e, settings.channel,
                    tooLarge.getMessage());
            return channels.publish(settings.channel, messages.encodeWithoutValue(e)).toCompletableFuture();
        }
    }

    @Override
    public String toString() {
        return settings.describe();
    }
}
