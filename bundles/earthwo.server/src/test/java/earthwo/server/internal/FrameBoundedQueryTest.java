package earthwo.server.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Futures;
import earthwo.api.Keys;
import earthwo.api.Record;
import earthwo.api.Version;
import earthwo.api.indexes.IndexInfo;
import earthwo.api.indexes.IndexPage;
import earthwo.api.indexes.IndexQuery;
import earthwo.api.indexes.IndexRow;
import earthwo.api.indexes.IndexType;
import earthwo.api.indexes.Indexes;
import earthwo.api.protocol.Request;
import earthwo.api.protocol.Response;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How a query page is kept within one frame, with services that behave and some that do not. */
class FrameBoundedQueryTest {

    private static final int FRAME = 64 * 1024;
    private static final IndexQuery QUERY = IndexQuery.range("i", null, null).limit(500);

    /** A service answering each query with {@code pages}; records what it was asked. */
    private static final class ScriptedIndexes implements Indexes {
        final List<IndexQuery> asked = new ArrayList<>();
        final Function<IndexQuery, IndexPage> pages;

        ScriptedIndexes(Function<IndexQuery, IndexPage> pages) {
            this.pages = pages;
        }

        @Override
        public CompletionStage<IndexPage> query(IndexQuery query) {
            asked.add(query);
            return CompletableFuture.completedFuture(pages.apply(query));
        }

        @Override
        public IndexInfo create(String name, String extractor, IndexType type) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void drop(String name) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<IndexInfo> list() {
            return List.of();
        }

        List<Integer> limits() {
            return asked.stream().map(IndexQuery::limit).toList();
        }
    }

    private static IndexPage rows(int n, int valueBytes, String cursor) {
        List<IndexRow> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] key = Keys.utf8("k" + i);
            rows.add(new IndexRow(key, "v" + i, Record.value(key, new byte[valueBytes], new Version(1, 1), 0)));
        }
        return new IndexPage(rows, cursor);
    }

    private static IndexPage run(Indexes service, IndexQuery q) {
        return Futures.join(new FrameBoundedQuery(() -> service, Runnable::run, FRAME).run(q));
    }

    @Test
    void aPageThatFitsIsAskedOnce() {
        ScriptedIndexes service = new ScriptedIndexes(q -> rows(q.limit(), 10, "c"));
        assertEquals(500, run(service, QUERY).rows().size());
        assertEquals(List.of(500), service.limits());
    }

    @Test
    void aPageThatDoesNotFitIsAskedAgainWithTheRowsThatFit() {
        ScriptedIndexes service = new ScriptedIndexes(q -> rows(q.limit(), 1000, "cursor-" + q.limit()));
        IndexPage page = run(service, QUERY.after("from-here"));
        assertEquals(2, service.asked.size());
        assertEquals(page.rows().size(), service.asked.get(1).limit());
        assertEquals("from-here", service.asked.get(1).after(), "the shorter page starts where the first one did");
        assertEquals("cursor-" + page.rows().size(), page.cursor(), "the service's own cursor after the last row");
        assertTrue(Response.queryAnswerBytes(page) <= FRAME);
        assertTrue(Response.queryAnswerBytes(rows(page.rows().size() + 1, 1000, page.cursor())) > FRAME - 4096,
                "no more than a cursor's room is left unused");
    }

    @Test
    void rowsThatGrowBetweenRoundsCostAnotherRound() {
        int[] round = {0};
        ScriptedIndexes service = new ScriptedIndexes(q -> rows(q.limit(), round[0]++ == 0 ? 1000 : 2000, "c"));
        IndexPage page = run(service, QUERY);
        assertEquals(3, service.asked.size());
        assertTrue(service.limits().get(2) < service.limits().get(1));
        assertTrue(Response.queryAnswerBytes(page) <= FRAME);
    }

    /** A service that ignores the limit still ends: each round asks for fewer rows, down to one. */
    @Test
    void aServiceThatIgnoresTheLimitEndsInTooLarge() {
        ScriptedIndexes service = new ScriptedIndexes(q -> rows(100, 1000, "c"));
        EarthwoException e = assertThrows(EarthwoException.class, () -> run(service, QUERY.limit(100)));
        assertEquals(ErrorCode.TOO_LARGE, e.code());
        List<Integer> limits = service.limits();
        assertEquals(1, limits.get(limits.size() - 1));
        for (int i = 1; i < limits.size(); i++) {
            assertTrue(limits.get(i) < limits.get(i - 1), "limits shrink every round: " + limits);
        }
    }

    @Test
    void aSingleRowOverTheFrameIsTooLarge() {
        ScriptedIndexes service = new ScriptedIndexes(q -> rows(1, FRAME, null));
        EarthwoException e = assertThrows(EarthwoException.class, () -> run(service, QUERY.limit(1)));
        assertEquals(ErrorCode.TOO_LARGE, e.code());
        assertEquals(List.of(1), service.limits());
    }

    @Test
    void aCursorNoClientCouldSendBackIsInternal() {
        ScriptedIndexes service = new ScriptedIndexes(q -> rows(1, 1, "c".repeat(Request.MAX_CURSOR_BYTES + 1)));
        assertEquals(ErrorCode.INTERNAL, assertThrows(EarthwoException.class, () -> run(service, QUERY)).code());
    }

    @Test
    void noServiceIsUnavailableAndNoAnswerIsInternal() {
        FrameBoundedQuery none = new FrameBoundedQuery(() -> {
            throw new EarthwoException(ErrorCode.UNAVAILABLE, "secondary indexes are not running on this node");
        }, Runnable::run, FRAME);
        assertEquals(ErrorCode.UNAVAILABLE, assertThrows(EarthwoException.class, () -> none.run(QUERY)).code());
        ScriptedIndexes nullPage = new ScriptedIndexes(q -> null);
        assertEquals(ErrorCode.INTERNAL, assertThrows(EarthwoException.class, () -> run(nullPage, QUERY)).code());
    }

    @Test
    void aFullPoolForTheSecondRoundFailsTheQuery() {
        ScriptedIndexes service = new ScriptedIndexes(q -> rows(q.limit(), 1000, "c"));
        FrameBoundedQuery q = new FrameBoundedQuery(() -> service, r -> {
            throw new RejectedExecutionException("full");
        }, FRAME);
        CompletableFuture<IndexPage> f = q.run(QUERY).toCompletableFuture();
        assertTrue(f.isCompletedExceptionally());
        assertEquals(1, service.asked.size());
    }
}
