package earthwo.api.hooks;

/** What happened to a key; {@link #GAP} reports events a hook lost (see {@link KeyEvent#lost()}). */
public enum EventType {
    /** A value written where no live value was. */
    CREATED(1),
    /** A value (or its expiry) written over a live value. */
    UPDATED(2),
    /** A live value deleted by a client. */
    DELETED(3),
    /** A value deleted by the reaper on the segment master because its expiry passed. */
    EXPIRED(4),
    /** Not a change: events of the segment were dropped from a full outbox before this hook got them. */
    GAP(5);

    private final int code;

    EventType(int code) {
        this.code = code;
    }

    /** The byte that stands for it on the wire and on disk. */
    public int code() {
        return code;
    }

    /** The type of a code, or null if unknown. */
    public static EventType fromCode(int code) {
        for (EventType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }
}
