package earthwo.hooks.webhook.internal;

import earthwo.api.Keys;
import earthwo.api.Version;
import earthwo.api.hooks.EventType;
import earthwo.api.hooks.KeyEvent;

/** Events for tests. */
final class Events {

    static final Version V1 = Version.of(1_700_000_000_000L, 3, 2);

    private Events() {
    }

    static KeyEvent created(String key, String value) {
        return KeyEvent.change(EventType.CREATED, Keys.utf8(key), V1, 7, 0, Keys.utf8(value), false);
    }

    static KeyEvent deleted(String key) {
        return KeyEvent.change(EventType.DELETED, Keys.utf8(key), V1, 7, 0, null, false);
    }
}
