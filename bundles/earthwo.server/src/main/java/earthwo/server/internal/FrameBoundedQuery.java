package earthwo.server.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.indexes.IndexPage;
import earthwo.api.indexes.IndexQuery;
import earthwo.api.indexes.IndexRow;
import earthwo.api.indexes.Indexes;
import earthwo.api.protocol.Request;
import earthwo.api.protocol.Response;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Runs an index query so that its answer fits into one frame.
 *
 * <p>A page may hold 10,000 rows with values of up to the value limit: far more than a frame. A
 * SCAN page that does not fit is cut here and continued after the last key kept; a query's cursor
 * belongs to the indexes service and is opaque here, so a page cut here would have no cursor that
 * continues it. Instead the query is asked again with a limit of the rows that fit: the service
 * makes that shorter page and its own cursor after its last row. The new page is measured again,
 * since writes may have changed the rows meanwhile; every round asks for fewer rows than the one
 * before, so the rounds end, with a page that fits or TOO_LARGE when one row does not.
 *
 * <p>Every round looks the service up again (it may have gone meanwhile: UNAVAILABLE) and runs on
 * {@code executor}, never on the thread that completed the service's answer.
 */
final class FrameBoundedQuery {

    /**
     * Room kept for the cursor of a shortened page when this page's cursor is shorter or absent;
     * a cursor longer than that only costs another round.
     */
    private static final int CURSOR_ROOM = 4096;

    private final Supplier<Indexes> indexes;
    private final Executor executor;
    private final int maxFrameBytes;

    /**
     * @param indexes the service at the moment of the call; throws UNAVAILABLE when there is none
     * @param executor where a shortened query is asked (a full one fails it with a RejectedExecutionException)
     */
    FrameBoundedQuery(Supplier<Indexes> indexes, Executor executor, int maxFrameBytes) {
        this.indexes = indexes;
        this.executor = executor;
        this.maxFrameBytes = maxFrameBytes;
    }

    /** The page the service answers for {@code query}, shortened where needed to fit into one frame. */
    CompletionStage<IndexPage> run(IndexQuery query) {
        CompletionStage<IndexPage> answer = indexes.get().query(query);
        if (answer == null) {
            throw new EarthwoException(ErrorCode.INTERNAL, "the indexes service returned no answer to " + query);
        }
        return answer.thenCompose(page -> fitted(query, page));
    }

    private CompletionStage<IndexPage> fitted(IndexQuery query, IndexPage page) {
        if (page == null) {
            throw new EarthwoException(ErrorCode.INTERNAL, "the indexes service answered " + query + " with no page");
        }
        int cursorBytes = page.cursor() == null ? -1 : page.cursor().getBytes(StandardCharsets.UTF_8).length;
        if (cursorBytes > Request.MAX_CURSOR_BYTES) {
            // A client could not send it back: the protocol bounds the cursor of a QUERY.
            throw new EarthwoException(ErrorCode.INTERNAL, "the indexes service made a cursor of " + cursorBytes
                    + " bytes; a query carries at most " + Request.MAX_CURSOR_BYTES);
        }
        if (Response.queryAnswerBytes(page) <= maxFrameBytes) {
            return CompletableFuture.completedFuture(page);
        }
        if (query.limit() == 1) {
            throw new EarthwoException(ErrorCode.TOO_LARGE, "one row of the query (" + Response.queryAnswerBytes(page)
                    + " bytes with its cursor) does not fit in a " + maxFrameBytes + "-byte frame");
        }
        int shorter = Math.max(1, Math.min(rowsThatFit(page.rows(), cursorBytes), query.limit() - 1));
        return CompletableFuture.supplyAsync(() -> run(query.limit(shorter)), executor).thenCompose(next -> next);
    }

    /** How many of the first rows fit into a frame beside a cursor at least as long as {@code cursorBytes}. */
    private int rowsThatFit(List<IndexRow> rows, int cursorBytes) {
        long size = Response.queryAnswerOverhead(Math.max(cursorBytes, CURSOR_ROOM));
        for (int i = 0; i < rows.size(); i++) {
            size += Response.queryRowBytes(rows.get(i));
            if (size > maxFrameBytes) {
                return i;
            }
        }
        return rows.size();
    }
}
