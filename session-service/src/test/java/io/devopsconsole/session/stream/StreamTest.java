package io.devopsconsole.session.stream;

import io.devopsconsole.session.Feed;
import io.devopsconsole.session.SseClient;
import io.devopsconsole.testkit.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

@QuarkusTest
class StreamTest {

    @Test
    void anUnknownSessionOrAMalformedLastEventIdIsAPlainError() throws Exception {
        try (SseClient c = SseClient.open(UUID.randomUUID(), Tokens.viewer(), null, false)) {
            assertThat(c.status).isEqualTo(404);
            assertThat(c.bodyText()).contains("session");
        }
    }
}
