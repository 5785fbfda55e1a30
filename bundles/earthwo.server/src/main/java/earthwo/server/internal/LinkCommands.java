package earthwo.server.internal;

import java.util.Set;

/**
 * Gogo commands over {@link PeerBlocks}, registered by {@link PeerLinksComponent} as a plain
 * service with {@code osgi.command.scope=links} (no Gogo import: Gogo calls the public methods):
 * <ul>
 *   <li>{@code links:block 2 3} — calls from this node to nodes 2 and 3 fail UNAVAILABLE at once;</li>
 *   <li>{@code links:unblock 2} — unblocks node 2; {@code links:unblock} unblocks every node;</li>
 *   <li>{@code links:blocked} — the blocked node ids.</li>
 * </ul>
 * A partition between two nodes needs a block on each side (only outgoing calls are blocked).
 */
public final class LinkCommands {

    static final String SCOPE = "links";
    static final String[] FUNCTIONS = {"block", "unblock", "blocked"};

    private final PeerBlocks blocks;

    LinkCommands(PeerBlocks blocks) {
        this.blocks = blocks;
    }

    public String block(int... nodes) {
        if (nodes == null || nodes.length == 0) {
            throw new IllegalArgumentException("usage: links:block NODE...");
        }
        return "blocked " + format(blocks.block(nodes));
    }

    public String unblock(int... nodes) {
        return "blocked " + format(blocks.unblock(nodes));
    }

    public String blocked() {
        return format(blocks.snapshot());
    }

    private static String format(Set<Integer> s) {
        return s.isEmpty() ? "(none)" : s.toString();
    }
}
