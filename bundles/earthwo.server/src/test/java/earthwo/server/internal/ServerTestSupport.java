package earthwo.server.internal;

import earthwo.api.admin.AdminCommands;
import earthwo.api.admin.StatusSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Starts the server component on 127.0.0.1:0 with a test Kv and stops it after each test. */
abstract class ServerTestSupport {

    @TempDir
    Path data;

    final InMemoryKvDouble kv = new InMemoryKvDouble();
    final List<ServerComponent> started = new ArrayList<>();
    final List<WireClient> clients = new ArrayList<>();

    /** Settings every test starts from; the framework-property side is empty. */
    Map<String, Object> settings(Object... more) {
        Map<String, Object> m = new HashMap<>();
        m.put("earthwo.host", "127.0.0.1");
        m.put("earthwo.port", "0");
        m.put("earthwo.data", data.toString());
        m.put("earthwo.server.io.threads", "2");
        for (int i = 0; i < more.length; i += 2) {
            m.put((String) more[i], more[i + 1]);
        }
        return m;
    }

    ServerComponent start(Map<String, Object> settings) {
        ServerComponent c = new ServerComponent();
        c.kv = kv;
        c.statusSources = List.of(new StatusSource() {
            @Override
            public String name() {
                return "fake";
            }

            @Override
            public Map<String, Object> status() {
                return Map.of("answer", 42);
            }
        });
        c.activate(settings, key -> null);
        started.add(c);
        return c;
    }

    ServerComponent start() {
        return start(settings());
    }

    WireClient connect(ServerComponent c) throws Exception {
        InetSocketAddress a = c.server().address();
        WireClient w = new WireClient(a);
        clients.add(w);
        return w;
    }

    static AdminCommands echoAdmin() {
        return line -> new AdminCommands.Result(!line.startsWith("fail"), "ran: " + line);
    }

    @AfterEach
    void stopAll() throws Exception {
        for (WireClient w : clients) {
            w.close();
        }
        for (ServerComponent c : started) {
            c.deactivate();
        }
    }
}
