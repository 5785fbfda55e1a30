package earthwo.shell.internal;

import java.io.OutputStream;
import java.util.Arrays;

/**
 * An in-memory output stream that keeps at most {@code limit} bytes and remembers whether more
 * were written. Thread-safe: a command's stdout and stderr may be written from Gogo's job
 * threads while the admin thread reads it.
 */
final class BoundedOutput extends OutputStream {

    private final int limit;
    private byte[] buf = new byte[256];
    private int count;
    private boolean overflowed;

    BoundedOutput(int limit) {
        this.limit = limit;
    }

    @Override
    public synchronized void write(int b) {
        if (count >= limit) {
            overflowed = true;
            return;
        }
        ensure(count + 1);
        buf[count++] = (byte) b;
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        int n = Math.min(len, limit - count);
        if (n < len) {
            overflowed = true;
        }
        if (n > 0) {
            ensure(count + n);
            System.arraycopy(b, off, buf, count, n);
            count += n;
        }
    }

    private void ensure(int size) {
        if (size > buf.length) {
            buf = Arrays.copyOf(buf, (int) Math.min(limit, Math.max(size, 2L * buf.length)));
        }
    }

    synchronized byte[] bytes() {
        return Arrays.copyOf(buf, count);
    }

    synchronized boolean overflowed() {
        return overflowed;
    }
}
