package earthwo.client.internal;

/**
 * Every thread the client starts is one of these: a daemon thread whose name starts with
 * {@link #PREFIX}. Code that might block (the in-flight bound) checks for it so that a callback
 * running on a client thread never waits for a permit only that same thread could release.
 */
public final class ClientThread extends Thread {

    /** Name prefix of every client thread; tests look for leftovers by it. */
    public static final String PREFIX = "earthwo-client-";

    ClientThread(String name, Runnable body) {
        super(body, PREFIX + name);
        setDaemon(true);
    }

    /** True when the calling thread belongs to an Earthwo client. */
    static boolean isCurrent() {
        return Thread.currentThread() instanceof ClientThread;
    }
}
