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
    /** This node's store keeps no outbox: nothing to deliver from. */
    NO_OUTBOX,
    /** Another hook service already has this name. */
    REFUSED;

    /** active, paused, retrying, no-outbox, refused. */
    String shown() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
