package earthwo.server.internal;

import earthwo.api.EarthwoException;

/**
 * A frame the decoder could not turn into a request: the typed error to answer with, the request
 * id to answer ({@code -1} when the header was unreadable), and whether the connection must be
 * closed afterwards (the stream can no longer be trusted).
 */
final class FrameError {

    final EarthwoException error;
    final int requestId;
    final boolean close;

    FrameError(EarthwoException error, int requestId, boolean close) {
        this.error = error;
        this.requestId = requestId;
        this.close = close;
    }
}
