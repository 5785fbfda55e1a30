@Export
@Version("1.6.0")
package earthwo.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
