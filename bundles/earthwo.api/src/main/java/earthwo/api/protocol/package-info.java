@Export
@Version("1.3.0")
package earthwo.api.protocol;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
