/**
 * Secondary indexes (DESIGN §7): the {@link earthwo.api.indexes.Indexes} service that defines and
 * queries them, the {@link earthwo.api.indexes.IndexExtractor} plug-in point that turns a record
 * into the values it is indexed under, and the {@link earthwo.api.indexes.IndexType types} those
 * values are stored as.
 */
@Export
@Version("1.0.0")
package earthwo.api.indexes;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
