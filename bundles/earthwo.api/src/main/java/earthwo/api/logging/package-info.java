/**
 * Logging help shared by the bundles: {@link earthwo.api.logging.RateLimitedLog} keeps a recurring
 * failure from burying a node's log.
 */
@Export
@Version("1.0.0")
package earthwo.api.logging;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
