package io.devopsconsole.platform.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import com.jcraft.jsch.JSchException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

/** SSH failures reach operators in words, never as Java exception names. */
class SshFailureWordsTest {

    private static JSchException jsch(String message, Throwable cause) {
        return new JSchException(message, cause);
    }

    @Test
    void eachCommonFailureIsSaidPlainly() {
        assertThat(PinnedSsh.inWords(
                        jsch(
                                "java.net.ConnectException: Connection refused",
                                new ConnectException("Connection refused")),
                        2222))
                .isEqualTo("nothing accepted the connection on port 2222 (Connection refused)");
        assertThat(PinnedSsh.inWords(
                        jsch("java.net.UnknownHostException: web-9.lab", new UnknownHostException("web-9.lab")), 22))
                .isEqualTo("the host name \"web-9.lab\" could not be resolved");
        assertThat(PinnedSsh.inWords(
                        jsch("java.net.NoRouteToHostException: No route to host", new NoRouteToHostException()), 22))
                .isEqualTo("there is no network route to the host");
        assertThat(PinnedSsh.inWords(new JSchException("timeout: socket is not established"), 22))
                .isEqualTo("the host did not answer in time on port 22");
        assertThat(PinnedSsh.inWords(
                        jsch(
                                "Session.connect: java.net.SocketTimeoutException: Read timed out",
                                new SocketTimeoutException("Read timed out")),
                        22))
                .isEqualTo("the host did not answer in time on port 22");
        assertThat(PinnedSsh.inWords(new JSchException("Auth fail for methods 'publickey'"), 22))
                .startsWith("the server refused the console's SSH key");
        assertThat(PinnedSsh.inWords(
                        new JSchException("Session.connect: java.io.IOException: End of IO Stream Read"), 22))
                .isEqualTo("End of IO Stream Read");
        for (String words : new String[] {
            PinnedSsh.inWords(new JSchException("java.lang.IllegalStateException: x"), 22),
            PinnedSsh.inWords(new JSchException("com.jcraft.jsch.JSchException: channel is not opened."), 0),
            PinnedSsh.inWords(new JSchException(null), 22)
        }) {
            assertThat(words)
                    .doesNotContainPattern("[a-z]+\\.[a-z]+\\.[A-Z]\\w*Exception")
                    .isNotBlank();
        }
    }
}
