package io.devopsconsole.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sign-in with the device grant, the saved sign-in, refresh, and its end (against the protocol double). */
class LoginTest {

    @TempDir
    Path dir;

    record Result(int code, String out, String err) {}

    Result devops(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Devops.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                new ByteArrayInputStream(new byte[0]),
                new Store(dir.resolve("cfg")));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void signsInWithTheDeviceGrantFindingTheProviderFromTheConsoleAndKeepsTheSignInPrivate() throws Exception {
        try (FakeProvider idp = new FakeProvider()) {
            Result r = devops("login", "--console", idp.base + "/");
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.err())
                    .contains(idp.base + "/realms/r/device?user_code=WDJB-MJHT")
                    .contains("WDJB-MJHT");
            assertThat(r.out()).contains("Signed in to " + idp.base + " as carl (viewer, operator)");
            // polled past "authorization_pending" with the device code, as a public client
            assertThat(idp.tokenRequests)
                    .hasSize(3)
                    .allSatisfy(f -> assertThat(f)
                            .containsEntry("device_code", "dev-1")
                            .containsEntry("client_id", "devops-cli")
                            .doesNotContainKey("client_secret"));
            Path saved = dir.resolve("cfg/login.json");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(saved)))
                    .isEqualTo("rw-------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(saved.getParent())))
                    .isEqualTo("rwx------");
            assertThat(Files.readString(saved))
                    .contains("\"issuer\" : \"" + idp.issuer() + "\"")
                    .contains("refresh-1");
            assertThat(dir.resolve("cfg").toFile().list()).containsExactly("login.json");

            assertThat(devops("whoami").out()).contains("carl at " + idp.base);
        }
    }

    @Test
    void anAccessTokenAboutToExpireIsRefreshedAndARefusedRefreshMeansSigningInAgain() throws Exception {
        try (FakeProvider idp = new FakeProvider()) {
            idp.pendingAnswers.set(0);
            idp.accessLifetime = 10; // less than the 30 s margin: every use refreshes
            assertThat(devops("login", "--console", idp.base, "--issuer", idp.issuer())
                            .code())
                    .isZero();
            int before = idp.tokenRequests.size();
            Result me = devops("whoami");
            assertThat(me.code()).as(me.err()).isZero();
            // one refresh with the saved (rotated) refresh token, and the new one saved for the next run
            assertThat(idp.tokenRequests).hasSize(before + 1);
            String used = idp.tokenRequests.get(before).get("refresh_token");
            assertThat(idp.tokenRequests.get(before)).containsEntry("grant_type", "refresh_token");
            assertThat(used).isEqualTo("refresh-" + (idp.issued.get() - 1));
            assertThat(Files.readString(dir.resolve("cfg/login.json")))
                    .contains("\"refresh-" + idp.issued.get() + "\"")
                    .doesNotContain("\"" + used + "\"");

            idp.refuseRefresh = true;
            Result ended = devops("whoami");
            assertThat(ended.code()).isEqualTo(CliException.SIGN_IN);
            assertThat(ended.err())
                    .contains("the sign-in has ended")
                    .contains("Session not active")
                    .contains("devops login");
        }
    }

    @Test
    void logoutRevokesTheRefreshTokenAndForgetsTheSignIn() throws Exception {
        try (FakeProvider idp = new FakeProvider()) {
            idp.pendingAnswers.set(0);
            assertThat(devops("login", "--console", idp.base, "--issuer", idp.issuer())
                            .code())
                    .isZero();
            Result out = devops("logout");
            assertThat(out.out()).contains("Signed out.");
            assertThat(idp.tokenRequests.get(idp.tokenRequests.size() - 1))
                    .containsEntry("token", "refresh-1")
                    .containsEntry("token_type_hint", "refresh_token");
            assertThat(dir.resolve("cfg/login.json")).doesNotExist();
            Result after = devops("projects", "list");
            assertThat(after.code()).isEqualTo(CliException.SIGN_IN);
            assertThat(after.err()).contains("not signed in; run devops login --console URL");
        }
    }

    @Test
    void aConsoleAddressThatIsNotHttpIsRefusedNamingTheOption() {
        Result r = devops("login", "--console", "file:///etc/passwd");
        assertThat(r.code()).isEqualTo(CliException.REFUSED);
        assertThat(r.err()).contains("--console must be an http(s) address");
    }
}
