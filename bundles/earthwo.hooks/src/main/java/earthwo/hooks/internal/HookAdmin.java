package earthwo.hooks.internal;

import java.util.List;

/**
 * What the hook:* commands ask of the dispatcher; a service of this bundle only (the package is
 * private), registered by {@link HooksComponent} while it is active.
 */
public interface HookAdmin {

    /** Every hook service on this node, accepted ones by name, then refused ones. */
    List<HookView> hooks();

    /** Pauses the named hook; IllegalArgumentException naming the known hooks when there is none of that name. */
    void pause(String name);

    /** Resumes the named hook; IllegalArgumentException as {@link #pause}. */
    void resume(String name);
}
