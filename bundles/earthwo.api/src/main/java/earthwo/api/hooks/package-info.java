/**
 * Hooks on key changes: the {@link earthwo.api.hooks.KeyHook} plug-in point and its events.
 */
@Export
@Version("1.0.0")
package earthwo.api.hooks;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
