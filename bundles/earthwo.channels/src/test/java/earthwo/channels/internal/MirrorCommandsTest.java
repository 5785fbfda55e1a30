package earthwo.channels.internal;

import org.junit.jupiter.api.Test;

import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** channel:mirror, channel:unmirror and channel:mirrors write and read the mirrors' factory configurations. */
class MirrorCommandsTest {

    private static final String PID = MirrorSettings.PID + "~orders";

    private final TestConfigAdmin cm = new TestConfigAdmin();
    private final MirrorCommands commands = new MirrorCommands(cm.admin);

    @Test
    void aMirrorIsCreatedListedReplacedAndRemoved() throws Exception {
        assertEquals("no channel mirrors configured\n", commands.mirrors());
        String out = commands.mirror("orders", "keys.orders", "--prefix", "order:", "--prefix=o,x",
                "--events", "created,deleted");
        assertEquals("created mirror orders -> keys.orders  prefixes=order:,o,x  events=CREATED,DELETED  values=no\n", out);
        Hashtable<String, Object> stored = cm.stored.get(PID);
        assertEquals("orders", stored.get(MirrorSettings.NAME));
        assertEquals("keys.orders", stored.get(MirrorSettings.CHANNEL));
        assertArrayEquals(new String[] {"order:", "o,x"}, (String[]) stored.get(MirrorSettings.PREFIXES));
        assertArrayEquals(new String[] {"CREATED", "DELETED"}, (String[]) stored.get(MirrorSettings.EVENTS));
        assertEquals(List.of("order:", "o,x"), MirrorSettings.resolve(stored).prefixes);

        assertEquals("mirror orders -> keys.orders  prefixes=order:,o,x  events=CREATED,DELETED  values=no\n",
                commands.mirrors());

        out = commands.mirror("orders", "keys.all", "--values", "--values-max-bytes", "100");
        assertEquals("updated mirror orders -> keys.all  prefixes=(all)  events=(all)  values=up to 100 bytes\n", out);
        assertFalse(cm.stored.get(PID).containsKey(MirrorSettings.PREFIXES), "an option left out is removed");
        assertEquals(1, cm.stored.size());

        assertEquals("deleted mirror orders\n", commands.unmirror("orders"));
        assertEquals(Map.of(), cm.stored);
    }

    @Test
    void badInputSaysWhyAndChangesNothing() throws Exception {
        commands.mirror("orders", "keys.orders");
        Map<String, Object> before = new TreeMap<>(cm.stored.get(PID));

        assertRefused("mirror name", () -> commands.mirror("Orders", "keys.orders"));
        assertRefused("mirror name", () -> commands.mirror("a b", "keys.orders"));
        assertRefused("setting channel", () -> commands.mirror("orders", "keys.*"));
        assertRefused("unknown event 'FOO'", () -> commands.mirror("orders", "keys.orders", "--events", "CREATED,FOO"));
        assertRefused("values.max.bytes", () -> commands.mirror("orders", "keys.orders", "--values",
                "--values-max-bytes", "lots"));
        assertRefused("goes with --values", () -> commands.mirror("orders", "keys.orders", "--values-max-bytes", "9"));
        assertRefused("unknown option --prefixes", () -> commands.mirror("orders", "keys.orders", "--prefixes", "x"));
        assertRefused("NAME and CHANNEL", () -> commands.mirror("orders"));
        assertRefused("no channel mirror named other", () -> commands.unmirror("other"));
        assertRefused("mirror name", () -> commands.unmirror("*"));

        assertEquals(1, cm.stored.size());
        assertEquals(before, new TreeMap<>(cm.stored.get(PID)));
    }

    @Test
    void aMirrorFromAFileKeepsItsFileAndARefusedOneShowsWhy() throws Exception {
        cm.addFromFile(MirrorSettings.PID, "fromfile", Map.of(MirrorSettings.NAME, "fromfile",
                MirrorSettings.CHANNEL, "keys.file"));
        cm.addFromFile(MirrorSettings.PID, "broken", Map.of(MirrorSettings.NAME, "broken",
                MirrorSettings.CHANNEL, "not a channel"));
        commands.mirror("fromfile", "keys.other");
        Hashtable<String, Object> stored = cm.stored.get(MirrorSettings.PID + "~fromfile");
        assertEquals("keys.other", stored.get(MirrorSettings.CHANNEL));
        assertTrue(String.valueOf(stored.get("felix.fileinstall.filename")).endsWith("-fromfile.cfg"));

        String list = commands.mirrors();
        assertTrue(list.startsWith("mirror broken (" + MirrorSettings.PID + "~broken)  REFUSED: setting channel"), list);
        assertTrue(list.contains("\nmirror fromfile -> keys.other"), list);
    }

    @Test
    void withoutConfigurationAdminTheCommandsSaySo() {
        MirrorCommands none = new MirrorCommands(null);
        IllegalStateException e = assertThrows(IllegalStateException.class, none::mirrors);
        assertTrue(e.getMessage().contains("ConfigurationAdmin is not available"), e.getMessage());
    }

    private interface Call {
        Object run() throws Exception;
    }

    private static void assertRefused(String why, Call call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }
}
