/**
 * Cluster-wide publish/subscribe (DESIGN §7): the {@link earthwo.api.channels.Channels} service,
 * the messages it carries ({@link earthwo.api.channels.ChannelMessage}, each with its publisher's
 * id and a sequence number), subscriptions by name or {@link earthwo.api.channels.ChannelPattern
 * pattern} with an optional {@link earthwo.api.channels.ResumePoint} for a subscriber that fails
 * over to another node, and the notices a subscriber gets ({@link earthwo.api.channels.Gap},
 * a close with {@link earthwo.api.ErrorCode#SLOW_CONSUMER}).
 */
@Export
@Version("1.0.0")
package earthwo.api.channels;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
