package earthwo.indexes.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.indexes.IndexType;
import earthwo.api.indexes.Indexes;
import earthwo.indexes.internal.LocalIndexStates.Local;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cluster document of the definitions, and the node's file of what it knows of its entries. */
class IndexDefinitionsTest {

    @TempDir
    Path dir;

    @Test
    void definitionsSurviveTheirDocumentAndIdsAreNeverReused() {
        IndexDefinitions d = IndexDefinitions.NONE.with("email", "json:$.email", IndexType.STRING, 10)
                .with("age", "json:$.age", IndexType.LONG, 11);
        IndexDefinitions read = IndexDefinitions.parse(Optional.of(d.toJson()));
        assertEquals(d.all(), read.all());
        assertEquals(List.of(1, 2), read.all().stream().map(IndexDefinition::id).toList());
        IndexDefinitions again = read.without("email").with("email", "json:$.mail", IndexType.STRING, 12);
        assertEquals(3, again.require("email").id(), "a re-created name gets a new id");
        assertEquals(List.of(1), again.dropped(), "the old id stays for the nodes' cleanup");
        assertEquals(again.all(), IndexDefinitions.parse(Optional.of(again.toJson())).all());
        assertEquals(IndexDefinitions.NONE.all(), IndexDefinitions.parse(Optional.empty()).all());
    }

    @Test
    void takenNamesUnknownNamesAndOneTooManyAreRefused() {
        IndexDefinitions d = IndexDefinitions.NONE;
        for (int i = 0; i < Indexes.MAX_INDEXES; i++) {
            d = d.with("i" + i, "json:$.a", IndexType.STRING, i);
        }
        IndexDefinitions full = d;
        assertEquals(ErrorCode.BAD_REQUEST, assertThrows(EarthwoException.class,
                () -> full.with("one-more", "json:$.a", IndexType.STRING, 0)).code());
        assertEquals(ErrorCode.BAD_REQUEST, assertThrows(EarthwoException.class,
                () -> full.with("i0", "json:$.a", IndexType.STRING, 0)).code());
        EarthwoException unknown = assertThrows(EarthwoException.class, () -> full.without("nope"));
        assertTrue(unknown.getMessage().contains("i0"), unknown.getMessage());
    }

    @Test
    void droppedIdsAreRememberedUpToALimit() {
        IndexDefinitions d = IndexDefinitions.NONE;
        for (int i = 0; i < IndexDefinitions.MAX_DROPPED + 5; i++) {
            d = d.with("x", "json:$.a", IndexType.STRING, i).without("x");
        }
        assertEquals(IndexDefinitions.MAX_DROPPED, d.dropped().size());
        assertEquals(6, d.dropped().get(0), "the oldest went first");
    }

    @Test
    void anUnreadableDocumentIsAnErrorNotAnEmptyCluster() {
        for (String bad : List.of("{", "[]", "{\"format\":2,\"next\":1,\"indexes\":[],\"dropped\":[]}",
                "{\"format\":1,\"next\":1,\"indexes\":[{\"id\":1}],\"dropped\":[]}")) {
            assertThrows(IllegalStateException.class, () -> IndexDefinitions.parse(Optional.of(bad)), bad);
        }
    }

    @Test
    void theNodesFileKeepsWhatItKnowsAndAnUnreadableOneTrustsNothing() throws Exception {
        LocalIndexStates states = new LocalIndexStates(dir);
        states.set(1, Local.READY);
        states.set(2, Local.BUILDING);
        states.set(3, Local.DIRTY);
        states.forget(2);
        LocalIndexStates reread = new LocalIndexStates(dir);
        assertEquals(Local.READY, reread.get(1));
        assertEquals(null, reread.get(2));
        assertEquals(Local.DIRTY, reread.get(3));
        assertEquals(false, reread.wasUnreadable());

        Files.writeString(dir.resolve(LocalIndexStates.FILE), "{not json", StandardCharsets.UTF_8);
        LocalIndexStates broken = new LocalIndexStates(dir);
        assertTrue(broken.wasUnreadable());
        assertEquals(null, broken.get(1));
    }
}
