package earthwo.example.hook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import earthwo.api.Keys;
import earthwo.api.Version;
import earthwo.api.hooks.EventType;
import earthwo.api.hooks.KeyEvent;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExampleHookTest {

    @TempDir
    Path data;

    @Test
    void writesOneLinePerEventAndAppendsAcrossRestarts() throws Exception {
        Version v = Version.of(1_700_000_000_000L, 3, 2);
        ExampleHook hook = new ExampleHook(data);
        hook.deliver(List.of(
                KeyEvent.change(EventType.CREATED, Keys.utf8("user:1"), v, 5, 0, Keys.utf8("x"), false),
                KeyEvent.change(EventType.EXPIRED, Keys.utf8("a b%ü"), v, 5, 1_700_000_001_000L, null, false)))
                .toCompletableFuture().join();
        hook.close();
        ExampleHook again = new ExampleHook(data);
        again.deliver(List.of(KeyEvent.gap(5, v, 9))).toCompletableFuture().join();
        again.close();

        List<String> lines = Files.readAllLines(data.resolve("example-hook/events.log"));
        assertEquals(List.of(
                "5/18bcfe568000003.2/757365723a31 CREATED user:1 1700000000000.3@2 0",
                "5/18bcfe568000003.2/61206225c3bc EXPIRED a%20b%25%C3%BC 1700000000000.3@2 1700000001000",
                "5/18bcfe568000003.2/ GAP - 1700000000000.3@2 0"), lines);
    }

    @Test
    void aLineTornByAKillIsEndedBeforeTheNextOne() throws Exception {
        Files.createDirectories(data.resolve("example-hook"));
        Files.writeString(data.resolve("example-hook/events.log"), "1/aa.1/61 CREATED a 1.0@1 0\n1/bb.1/62 CRE");
        ExampleHook hook = new ExampleHook(data);
        hook.deliver(List.of(KeyEvent.change(EventType.DELETED, Keys.utf8("b"), Version.of(2, 0, 1), 1, 0, null, false)))
                .toCompletableFuture().join();
        hook.close();
        assertEquals(List.of("1/aa.1/61 CREATED a 1.0@1 0", "1/bb.1/62 CRE", "1/20000.1/62 DELETED b 2.0@1 0"),
                Files.readAllLines(data.resolve("example-hook/events.log")));
    }
}
