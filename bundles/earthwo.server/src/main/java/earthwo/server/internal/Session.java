package earthwo.server.internal;

/**
 * What one connection has proven: the data role (always, when the node has no data secret) and
 * the admin role. Touched only on the connection's I/O thread.
 */
final class Session {

    final String remote;
    private boolean data;
    private boolean admin;
    private int authFailures;

    Session(String remote, boolean dataSecretRequired) {
        this.remote = remote;
        this.data = !dataSecretRequired;
    }

    boolean mayUseData() {
        return data || admin;
    }

    boolean isAdmin() {
        return admin;
    }

    void grantData() {
        data = true;
    }

    void grantAdmin() {
        admin = true;
    }

    int failAuth() {
        return ++authFailures;
    }

    int authFailures() {
        return authFailures;
    }
}
