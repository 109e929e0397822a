package io.devopsconsole.agent.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.devopsconsole.agent.Runner;
import io.devopsconsole.events.Topics;
import io.devopsconsole.events.registry.TargetRegistered;
import io.devopsconsole.events.registry.TargetState;
import io.devopsconsole.testkit.KafkaTopics;
import io.devopsconsole.testkit.Sql;
import io.devopsconsole.testkit.TestInfrastructure;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The runner's projection of the registry goes on past an event the database refuses (a raw NUL in
 * a target's name, which a PostgreSQL text column cannot hold, from a producer that did not encode
 * its text): after three attempts that event goes to the dead-letter topic, and the events after it
 * are applied.
 */
@QuarkusTest
class ProjectionPoisonTest {

    static TargetState target(UUID id, String name) {
        return new TargetState(
                id,
                name,
                "127.0.0.1",
                22,
                "codex",
                "lab",
                null,
                "lan",
                null,
                "default_control_plane_identity",
                null,
                null,
                "unknown",
                false,
                0);
    }

    @Test
    void anEventTheDatabaseRefusesIsDeadLetteredAndTheProjectionGoesOn() {
        UUID poisoned = UUID.randomUUID();
        UUID good = UUID.randomUUID();
        Runner.send(new TargetRegistered(target(poisoned, "bad\u0000name")));
        Runner.send(new TargetRegistered(target(good, "good-" + good.toString().substring(0, 6))));

        await().atMost(Duration.ofSeconds(30))
                .until(() -> Sql.count("SELECT count(*) FROM agent.target_view WHERE id = ?", good) == 1);
        await().atMost(Duration.ofSeconds(30))
                .until(() ->
                        KafkaTopics.readAll(TestInfrastructure.kafka().bootstrapServers(), Topics.DEAD_LETTER).stream()
                                .anyMatch(r -> poisoned.toString().equals(r.key())
                                        && r.headers().lastHeader("dead-letter-reason") != null
                                        && new String(
                                                        r.headers()
                                                                .lastHeader("dead-letter-reason")
                                                                .value(),
                                                        StandardCharsets.UTF_8)
                                                .contains("cannot be projected")));
        assertThat(Sql.count("SELECT count(*) FROM agent.target_view WHERE id = ?", poisoned))
                .isZero();
    }
}
