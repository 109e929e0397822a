package io.devopsconsole.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AttachTypeTest {

    @Test
    void theMediaTypeIsGuessedFromTheNameAndPlainTextOtherwise() {
        assertThat(Sessions.Attach.guess("limits.YAML")).isEqualTo("application/yaml");
        assertThat(Sessions.Attach.guess("shot.png")).isEqualTo("image/png");
        assertThat(Sessions.Attach.guess("dump.tar.gz")).isEqualTo("application/gzip");
        assertThat(Sessions.Attach.guess("nginx.conf")).isEqualTo("text/plain");
        assertThat(Sessions.Attach.guess("Makefile")).isEqualTo("text/plain");
    }
}
