package earthwo.server.internal;

/**
 * What one connection has proven: the data role (always, when the node has no data secret), the
 * admin role and the peer role (another node of the cluster). Touched only on the connection's
 * I/O thread.
 */
final class Session {

    final String remote;
    private boolean data;
    private boolean admin;
    private boolean peer;
    private int authFailures;
    private boolean mustClose;
    private ConnectionSubscriptions subscriptions;

    Session(String remote, boolean dataSecretRequired) {
        this.remote = remote;
        this.data = !dataSecretRequired;
    }

    boolean mayUseData() {
        return data || admin || peer;
    }

    boolean isAdmin() {
        return admin;
    }

    boolean isPeer() {
        return peer;
    }

    void grantData() {
        data = true;
    }

    void grantAdmin() {
        admin = true;
    }

    void grantPeer() {
        peer = true;
    }

    int failAuth() {
        return ++authFailures;
    }

    int authFailures() {
        return authFailures;
    }

    /** Marks the connection to be closed once its answers are sent (it tried what it must not). */
    void closeAfterAnswers() {
        mustClose = true;
    }

    boolean mustClose() {
        return mustClose;
    }

    /** The connection's channel subscriptions (null before the connection is set up). */
    ConnectionSubscriptions subscriptions() {
        return subscriptions;
    }

    void attach(ConnectionSubscriptions s) {
        subscriptions = s;
    }
}
