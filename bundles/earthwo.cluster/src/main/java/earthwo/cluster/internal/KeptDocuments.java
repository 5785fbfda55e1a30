package earthwo.cluster.internal;

import earthwo.api.AtomicFiles;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's copies of the cluster documents, one file {@code <name>.json} each in
 * {@value #DIR} of its data directory, so a node restarted while ZooKeeper is unreachable still
 * reads the last content it saw. Each file is replaced whole ({@link AtomicFiles}) and names its
 * cluster and document: a data directory started for another cluster, or a file renamed by hand,
 * does not pass its content off as this cluster's. A failure to write or delete is logged and
 * costs only the copy: the node keeps serving what it saw.
 */
final class KeptDocuments {

    private static final Logger LOG = LoggerFactory.getLogger(KeptDocuments.class);
    static final String DIR = "cluster-docs";
    static final String SUFFIX = ".json";

    /** What a file holds; the content is a JSON string, so the file parses whatever the content is. */
    private static final class KeptDocumentDoc {
        String cluster;
        String name;
        long zxid;
        String content;

        KeptDocumentDoc() { // for Gson
        }

        KeptDocumentDoc(String cluster, String name, long zxid, String content) {
            this.cluster = cluster;
            this.name = name;
            this.zxid = zxid;
            this.content = content;
        }
    }

    private final Path dir;
    private final String cluster;
    private final int nodeId;

    KeptDocuments(Path dataDir, String cluster, int nodeId) {
        this.dir = dataDir.resolve(DIR);
        this.cluster = cluster;
        this.nodeId = nodeId;
    }

    Path dir() {
        return dir;
    }

    Path file(String name) {
        return dir.resolve(name + SUFFIX);
    }

    /**
     * Every copy this node can use, by name. Files that do not parse, are another cluster's or
     * name another document are skipped (each logged); temporary files a crash left are deleted.
     */
    Map<String, DocumentState> readAll() {
        Map<String, DocumentState> docs = new TreeMap<>();
        if (!Files.isDirectory(dir)) {
            return docs;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                String fileName = file.getFileName().toString();
                if (fileName.endsWith(AtomicFiles.TEMP_SUFFIX)) {
                    Files.deleteIfExists(file);
                } else if (fileName.endsWith(SUFFIX)) {
                    String name = fileName.substring(0, fileName.length() - SUFFIX.length());
                    DocumentState kept = read(name, file);
                    if (kept != null) {
                        docs.put(name, kept);
                    }
                }
            }
        } catch (IOException e) {
            LOG.warn("node {} cluster {}: cannot read the cluster documents kept in {}: {}", nodeId, cluster, dir,
                    e.toString());
        }
        return docs;
    }

    private DocumentState read(String name, Path file) {
        KeptDocumentDoc kept;
        try {
            kept = MapCodec.decode(Files.readAllBytes(file), KeptDocumentDoc.class, "kept cluster document");
        } catch (IOException | RuntimeException e) {
            LOG.warn("node {} cluster {}: ignoring the cluster document kept in {}: {}", nodeId, cluster, file,
                    e.toString());
            return null;
        }
        String problem = kept == null || kept.content == null ? "no content"
                : !cluster.equals(kept.cluster) ? "it is cluster " + kept.cluster + "'s"
                : !name.equals(kept.name) || !DocumentRules.isValidName(name) ? "it holds document " + kept.name
                : null;
        if (problem != null) {
            LOG.warn("node {} cluster {}: ignoring the cluster document kept in {}: {}", nodeId, cluster, file,
                    problem);
            return null;
        }
        return new DocumentState(kept.content, kept.zxid);
    }

    void write(String name, DocumentState state) {
        try {
            AtomicFiles.replace(file(name),
                    MapCodec.encode(new KeptDocumentDoc(cluster, name, state.zxid(), state.content())));
        } catch (IOException | RuntimeException e) {
            LOG.warn("node {} cluster {}: could not keep cluster document {} in {}: {}", nodeId, cluster, name,
                    file(name), e.toString());
        }
    }

    void delete(String name) {
        try {
            Files.deleteIfExists(file(name));
        } catch (IOException e) {
            LOG.warn("node {} cluster {}: could not delete the copy of cluster document {} in {}: {}", nodeId, cluster,
                    name, file(name), e.toString());
        }
    }
}
