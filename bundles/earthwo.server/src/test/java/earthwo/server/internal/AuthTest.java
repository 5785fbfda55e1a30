package earthwo.server.internal;

import earthwo.api.ErrorCode;
import earthwo.api.Keys;
import earthwo.api.WriteConcern;
import earthwo.api.protocol.Frames;
import earthwo.api.protocol.Request;
import earthwo.api.protocol.Response;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AuthTest extends ServerTestSupport {

    private static ErrorCode code(Response r) {
        return r.isError() ? r.toException().code() : null;
    }

    @Test
    void dataSecretIsRequiredBeforeDataRequests() throws Exception {
        WireClient c = connect(start(settings("earthwo.secret", "s3cret")));
        assertEquals(0, c.call(Request.ping(1)).status(), "PING needs no secret");
        assertEquals(ErrorCode.AUTH, code(c.call(Request.get(2, Keys.utf8("k")))));
        assertEquals(ErrorCode.AUTH, code(c.call(Request.status(3))));
        assertEquals(ErrorCode.AUTH, code(c.call(Request.auth(4, Frames.ROLE_DATA, "wrong"))));
        assertEquals(ErrorCode.AUTH, code(c.call(Request.put(5, Keys.utf8("k"), Keys.utf8("v"), 0, WriteConcern.DEFAULT))));
        assertEquals(0, c.call(Request.auth(6, Frames.ROLE_DATA, "s3cret")).status());
        assertFalse(c.call(Request.put(7, Keys.utf8("k"), Keys.utf8("v"), 0, WriteConcern.DEFAULT)).isError());
        assertEquals(ErrorCode.AUTH, code(c.call(Request.exec(8, "node:status"))), "data role may not EXEC");
    }

    @Test
    void repeatedWrongSecretsCloseTheConnection() throws Exception {
        ServerComponent node = start(settings("earthwo.secret", "s3cret"));
        WireClient c = connect(node);
        for (int i = 1; i <= 4; i++) {
            assertEquals(ErrorCode.AUTH, code(c.call(Request.auth(i, Frames.ROLE_DATA, "nope" + i))));
        }
        assertEquals(0, c.call(Request.ping(10)).status(), "still open after 4 failures");
        assertEquals(ErrorCode.AUTH, code(c.call(Request.auth(5, Frames.ROLE_ADMIN, "nope"))));
        assertTrue(c.closedByServer());
        assertEquals(5, node.server().stats().authFailures.sum());
        WireClient next = connect(node);
        assertEquals(0, next.call(Request.auth(1, Frames.ROLE_DATA, "s3cret")).status());
    }

    @Test
    void adminSecretIsGeneratedOwnerOnlyAndAllowsExecAndData() throws Exception {
        ServerComponent node = start(settings("earthwo.secret", "s3cret"));
        node.admin = echoAdmin();
        Path file = data.resolve("admin.secret");
        String secret = Files.readString(file, StandardCharsets.UTF_8).strip();
        assertTrue(secret.matches("[0-9a-f]{64}"), secret);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));

        WireClient c = connect(node);
        assertEquals(ErrorCode.AUTH, code(c.call(Request.exec(1, "node:status"))));
        assertEquals(0, c.call(Request.auth(2, Frames.ROLE_ADMIN, secret)).status());
        Response.ExecResult ok = c.call(Request.exec(3, "node:status")).execResult();
        assertTrue(ok.ok());
        assertEquals("ran: node:status", ok.output());
        assertFalse(c.call(Request.exec(4, "fail now")).execResult().ok());
        assertFalse(c.call(Request.put(5, Keys.utf8("k"), Keys.utf8("v"), 0, WriteConcern.DEFAULT)).isError(),
                "admin may use data requests");

        node.admin = null;
        assertEquals(ErrorCode.UNAVAILABLE, code(c.call(Request.exec(6, "node:status"))));

        // A restart reads the same secret back instead of generating a new one.
        node.deactivate();
        started.remove(node);
        start(settings());
        assertEquals(secret, Files.readString(file, StandardCharsets.UTF_8).strip());
    }

    @Test
    void configuredAdminSecretWins() throws Exception {
        ServerComponent node = start(settings("earthwo.admin.secret", "root"));
        node.admin = echoAdmin();
        WireClient c = connect(node);
        assertEquals(0, c.call(Request.get(1, Keys.utf8("k"))).status() == 1 ? 0 : -1, "no data secret: open");
        assertEquals(ErrorCode.AUTH, code(c.call(Request.auth(2, Frames.ROLE_ADMIN, "root "))));
        assertEquals(0, c.call(Request.auth(3, Frames.ROLE_ADMIN, "root")).status());
        assertTrue(c.call(Request.exec(4, "x")).execResult().ok());
        assertFalse(Files.exists(data.resolve("admin.secret")));
    }
}
