package earthwo.hooks.internal;

import java.util.Locale;

/** What a hook's dispatch is doing, as hook:list and the status show it. */
enum HookState {
    /** Delivering (or waiting for events). */
    ACTIVE,
    /** Paused by an operator: nothing is delivered, the position stays. */
    PAUSED,
    /** The last attempt failed; the same batch goes again after a back-off. */
    RETRYING,
    /**
     * A {@code deliver} call has not returned for longer than the hook's timeout: the hook's
     * thread waits inside it, and nothing more is delivered to this hook until it returns.
     */
    STUCK,
    /** This node's store keeps no outbox: nothing to deliver from. */
    NO_OUTBOX,
    /** Another hook service already has this name. */
    REFUSED;

    /** active, paused, retrying, stuck, no-outbox, refused. */
    String shown() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
