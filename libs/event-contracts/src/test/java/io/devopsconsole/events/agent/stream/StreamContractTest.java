package io.devopsconsole.events.agent.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import io.devopsconsole.events.EventJson;
import io.devopsconsole.events.Risk;
import io.devopsconsole.events.agent.AgentStreamRecord;
import io.devopsconsole.events.agent.StreamKind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StreamContractTest {

    /** The committed schema and TypeScript types are what the payload types generate (regenerate: StreamContract.main). */
    @Test
    void theSchemaAndTheConsolesTypesAreGeneratedFromThePayloadTypes() throws Exception {
        assertThat(Files.readString(Path.of("src/main/resources", StreamContract.SCHEMA_RESOURCE)))
                .as(
                        "stream-record.schema.json is stale: run ./mvnw -B -q -pl libs/event-contracts compile exec:java@stream-contract")
                .isEqualTo(StreamContract.schemaText());
        assertThat(Files.readString(Path.of("../../console-ui/web/src/generated/stream-records.ts")))
                .as("console-ui/web/src/generated/stream-records.ts is stale: run ./mvnw -B -q -pl libs/event-contracts"
                        + " compile exec:java@stream-contract")
                .isEqualTo(StreamContract.typescript());
    }

    /** Every shared fixture is a valid record, reads into its typed payload with no field left over, and writes back the same. */
    @Test
    void everyFixtureIsAValidRecordAndReadsIntoItsTypedPayloadLosslessly() throws Exception {
        Schema schema = SchemaRegistry.withDialect(Dialects.getDraft202012()).getSchema(StreamContract.schema());
        Set<StreamKind> kinds = new HashSet<>();
        Set<Class<?>> types = new HashSet<>();
        for (JsonNode record : StreamFixtures.all()) {
            assertThat(schema.validate(record)).as(record.toString()).isEmpty();
            AgentStreamRecord r = EventJson.mapper().treeToValue(record, AgentStreamRecord.class);
            StreamPayload payload = StreamContract.readStrictly(r.kind(), r.payload());
            assertThat(payload.streamKind()).isEqualTo(r.kind());
            assertThat(EventJson.mapper().readTree(StreamContract.write(payload).toString()))
                    .as(record.toString())
                    .isEqualTo(withoutNulls(r.payload()));
            kinds.add(r.kind());
            types.add(payload.getClass());
        }
        assertThat(kinds).as("every kind has a fixture").containsExactlyInAnyOrder(StreamKind.values());
        assertThat(types)
                .as("every payload type and item variant has a fixture")
                .containsAll(StreamContract.payloadTypes().values().stream()
                        .filter(t -> t != StreamPayload.FileChange.class)
                        .toList());
    }

    @Test
    void aPayloadThatIsNotItsKindsTypeIsRefusedByTheSchemaAndTheReader() throws Exception {
        Schema schema = SchemaRegistry.withDialect(Dialects.getDraft202012()).getSchema(StreamContract.schema());
        JsonNode record = StreamFixtures.all().get(0).deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) record).put("kind", "approval_requested");
        assertThat(schema.validate(record)).isNotEmpty();
        JsonNode unknownField = EventJson.mapper().readTree("{\"delta\":\"x\",\"colour\":\"red\"}");
        assertThat(schema.validate(EventJson.mapper()
                        .readTree(("{\"record_id\":\"%s\",\"session_id\":\"%s\",\"stream_seq\":1,"
                                        + "\"kind\":\"agent_message_delta\",\"payload\":%s}")
                                .formatted(java.util.UUID.randomUUID(), java.util.UUID.randomUUID(), unknownField))))
                .isNotEmpty();
        assertThatThrownBy(() -> StreamContract.readStrictly(StreamKind.AGENT_MESSAGE_DELTA, unknownField))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(StreamContract.read(StreamKind.AGENT_MESSAGE_DELTA, unknownField))
                .isEqualTo(new StreamPayload.AgentMessageDelta("x", null));
    }

    @Test
    void theRecordsKindDecidesHowATurnEnded() throws Exception {
        JsonNode lying = EventJson.mapper().readTree("{\"outcome\":\"completed\"}");
        assertThat(StreamContract.read(StreamKind.TURN_FAILED, lying))
                .isEqualTo(new StreamPayload.TurnEnded(StreamPayload.TurnOutcome.FAILED, null));
        assertThat(StreamPayload.TurnOutcome.of(StreamKind.TURN_INTERRUPTED).kind())
                .isEqualTo(StreamKind.TURN_INTERRUPTED);
        assertThatThrownBy(() -> StreamPayload.TurnOutcome.of(StreamKind.TURN_STARTED))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aCommandsOutcomeFollowsItsStatusAndExitCode() {
        assertThat(StreamPayload.CommandOutcome.of("completed", 0)).isEqualTo(StreamPayload.CommandOutcome.SUCCEEDED);
        assertThat(StreamPayload.CommandOutcome.of("completed", 2)).isEqualTo(StreamPayload.CommandOutcome.FAILED);
        assertThat(StreamPayload.CommandOutcome.of("failed", null)).isEqualTo(StreamPayload.CommandOutcome.FAILED);
        assertThat(StreamPayload.CommandOutcome.of("declined", null)).isEqualTo(StreamPayload.CommandOutcome.DECLINED);
        assertThat(StreamPayload.CommandOutcome.of("interrupted", null))
                .isEqualTo(StreamPayload.CommandOutcome.INTERRUPTED);
        assertThat(StreamPayload.CommandOutcome.of("incomplete", null))
                .isEqualTo(StreamPayload.CommandOutcome.INCOMPLETE);
        assertThat(StreamPayload.CommandOutcome.of(null, null)).isEqualTo(StreamPayload.CommandOutcome.INCOMPLETE);
    }

    @Test
    void oneRiskVocabularyJudgesCommandsByEffect() {
        assertThat(Risk.ofCommand("ls -la")).isEqualTo(Risk.BENIGN);
        assertThat(Risk.ofCommand("bash -lc 'git status'")).isEqualTo(Risk.BENIGN);
        assertThat(Risk.ofCommand("npm test")).isEqualTo(Risk.ELEVATED);
        assertThat(Risk.ofCommand("cat a | sh")).isEqualTo(Risk.ELEVATED);
        assertThat(Risk.ofCommand("sudo rm -rf /var/cache/app")).isEqualTo(Risk.DESTRUCTIVE);
        assertThat(Risk.ofCommand(null)).isEqualTo(Risk.ELEVATED);
        assertThat(Risk.BENIGN.max(Risk.DESTRUCTIVE)).isEqualTo(Risk.DESTRUCTIVE);
        assertThat(Risk.of("medium")).isEmpty();
    }

    private static JsonNode withoutNulls(JsonNode payload) {
        com.fasterxml.jackson.databind.node.ObjectNode copy = payload.deepCopy();
        List<String> nulls = new ArrayList<>();
        copy.fields().forEachRemaining(f -> {
            if (f.getValue().isNull()) {
                nulls.add(f.getKey());
            }
        });
        copy.remove(nulls);
        return copy;
    }

    @SuppressWarnings("unused")
    private static String read(Path p) throws Exception {
        return Files.readString(p, StandardCharsets.UTF_8);
    }
}
