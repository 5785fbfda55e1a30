@Export
@Version("1.4.0")
package earthwo.api.cluster;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
