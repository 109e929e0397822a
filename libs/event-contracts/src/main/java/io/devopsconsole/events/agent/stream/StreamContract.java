package io.devopsconsole.events.agent.stream;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.devopsconsole.events.EventJson;
import io.devopsconsole.events.Risk;
import io.devopsconsole.events.agent.StreamKind;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Reads and writes {@link StreamPayload}s, and generates the contract's other two forms from the
 * types: the JSON Schema of an agent stream record ({@link #schema()}, shipped as
 * {@code stream-record.schema.json}) and the console's TypeScript types ({@link #typescript()}).
 * {@code main} writes both files; a test fails when a committed copy differs from what the types
 * generate.
 */
public final class StreamContract {

    /** Where the schema is on the class path (and, under the module, in src/main/resources). */
    public static final String SCHEMA_RESOURCE = "stream-record.schema.json";
    /** The item types that have a variant of their own; any other is {@code Other}. */
    public static final Set<String> ITEM_TYPES_WITH_VARIANTS =
            Set.of("agent_message", "command_execution", "file_change");

    private static final ObjectMapper WRITER =
            EventJson.mapper().copy().setSerializationInclusion(JsonInclude.Include.NON_NULL);
    private static final ObjectMapper STRICT =
            EventJson.mapper().copy().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private StreamContract() {}

    /** The payload as JSON (absent optional fields left out). */
    public static ObjectNode write(StreamPayload payload) {
        return WRITER.valueToTree(payload);
    }

    /** The typed payload of a record of this kind; fields the contract does not know are ignored. */
    public static StreamPayload read(StreamKind kind, JsonNode payload) {
        return read(EventJson.mapper(), kind, payload);
    }

    /** As {@link #read(StreamKind, JsonNode)}, refusing any field the contract does not define (for tests). */
    public static StreamPayload readStrictly(StreamKind kind, JsonNode payload) {
        return read(STRICT, kind, payload);
    }

    private static StreamPayload read(ObjectMapper mapper, StreamKind kind, JsonNode payload) {
        JsonNode node = payload == null || payload.isNull() ? mapper.createObjectNode() : payload;
        Class<? extends StreamPayload> type = typeOf(kind, node);
        try {
            StreamPayload read = mapper.treeToValue(node, type);
            if (read instanceof StreamPayload.TurnEnded ended) {
                // the record's kind says how the turn ended; a payload that says otherwise is not trusted
                return new StreamPayload.TurnEnded(StreamPayload.TurnOutcome.of(kind), ended.message());
            }
            return read;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "a " + kind.wire() + " payload that is not a " + type.getSimpleName() + ": "
                            + e.getOriginalMessage(),
                    e);
        }
    }

    /** The payload type of a record of this kind (and, for items, this {@code item_type}). */
    public static Class<? extends StreamPayload> typeOf(StreamKind kind, JsonNode payload) {
        String itemType = payload == null ? "" : payload.path("item_type").asText("");
        return switch (kind) {
            case AGENT_MESSAGE_DELTA -> StreamPayload.AgentMessageDelta.class;
            case COMMAND_OUTPUT_DELTA -> StreamPayload.CommandOutputDelta.class;
            case FILE_CHANGE -> StreamPayload.FileChangeRecord.class;
            case ITEM_STARTED ->
                switch (itemType) {
                    case "agent_message" -> StreamPayload.ItemStarted.AgentMessage.class;
                    case "command_execution" -> StreamPayload.ItemStarted.Command.class;
                    case "file_change" -> StreamPayload.ItemStarted.FileChanges.class;
                    default -> StreamPayload.ItemStarted.Other.class;
                };
            case ITEM_COMPLETED ->
                switch (itemType) {
                    case "agent_message" -> StreamPayload.ItemCompleted.AgentMessage.class;
                    case "command_execution" -> StreamPayload.ItemCompleted.Command.class;
                    case "file_change" -> StreamPayload.ItemCompleted.FileChanges.class;
                    default -> StreamPayload.ItemCompleted.Other.class;
                };
            case APPROVAL_REQUESTED -> StreamPayload.ApprovalRequested.class;
            case APPROVAL_RESOLVED -> StreamPayload.ApprovalResolved.class;
            case TOKEN_USAGE -> StreamPayload.TokenUsage.class;
            case TURN_STARTED -> StreamPayload.TurnStarted.class;
            case TURN_COMPLETED, TURN_FAILED, TURN_TIMED_OUT, TURN_INTERRUPTED -> StreamPayload.TurnEnded.class;
            case WORKER_STATE -> StreamPayload.WorkerState.class;
            case ERROR -> StreamPayload.Error.class;
            case STREAM_GAP -> StreamPayload.StreamGap.class;
            case ATTACHMENT_COPIED -> StreamPayload.AttachmentCopied.class;
        };
    }

    // ---- the schema -----------------------------------------------------------------------------

    /** The payload types in a fixed order, with the name each has in the schema and the TypeScript types. */
    static Map<String, Class<?>> payloadTypes() {
        Map<String, Class<?>> types = new LinkedHashMap<>();
        types.put("AgentMessageDelta", StreamPayload.AgentMessageDelta.class);
        types.put("CommandOutputDelta", StreamPayload.CommandOutputDelta.class);
        types.put("FileChangeRecord", StreamPayload.FileChangeRecord.class);
        types.put("ItemStartedAgentMessage", StreamPayload.ItemStarted.AgentMessage.class);
        types.put("ItemStartedCommand", StreamPayload.ItemStarted.Command.class);
        types.put("ItemStartedFileChanges", StreamPayload.ItemStarted.FileChanges.class);
        types.put("ItemStartedOther", StreamPayload.ItemStarted.Other.class);
        types.put("ItemCompletedAgentMessage", StreamPayload.ItemCompleted.AgentMessage.class);
        types.put("ItemCompletedCommand", StreamPayload.ItemCompleted.Command.class);
        types.put("ItemCompletedFileChanges", StreamPayload.ItemCompleted.FileChanges.class);
        types.put("ItemCompletedOther", StreamPayload.ItemCompleted.Other.class);
        types.put("ApprovalRequested", StreamPayload.ApprovalRequested.class);
        types.put("ApprovalResolved", StreamPayload.ApprovalResolved.class);
        types.put("TokenUsage", StreamPayload.TokenUsage.class);
        types.put("TurnStarted", StreamPayload.TurnStarted.class);
        types.put("TurnEnded", StreamPayload.TurnEnded.class);
        types.put("WorkerState", StreamPayload.WorkerState.class);
        types.put("StreamError", StreamPayload.Error.class);
        types.put("StreamGap", StreamPayload.StreamGap.class);
        types.put("AttachmentCopied", StreamPayload.AttachmentCopied.class);
        types.put("FileChange", StreamPayload.FileChange.class);
        return types;
    }

    /** The schema name(s) of a kind's payload (items: one per variant). */
    static List<String> payloadsOf(StreamKind kind) {
        return switch (kind) {
            case AGENT_MESSAGE_DELTA -> List.of("AgentMessageDelta");
            case COMMAND_OUTPUT_DELTA -> List.of("CommandOutputDelta");
            case FILE_CHANGE -> List.of("FileChangeRecord");
            case ITEM_STARTED ->
                List.of("ItemStartedAgentMessage", "ItemStartedCommand", "ItemStartedFileChanges", "ItemStartedOther");
            case ITEM_COMPLETED ->
                List.of(
                        "ItemCompletedAgentMessage",
                        "ItemCompletedCommand",
                        "ItemCompletedFileChanges",
                        "ItemCompletedOther");
            case APPROVAL_REQUESTED -> List.of("ApprovalRequested");
            case APPROVAL_RESOLVED -> List.of("ApprovalResolved");
            case TOKEN_USAGE -> List.of("TokenUsage");
            case TURN_STARTED -> List.of("TurnStarted");
            case TURN_COMPLETED, TURN_FAILED, TURN_TIMED_OUT, TURN_INTERRUPTED -> List.of("TurnEnded");
            case WORKER_STATE -> List.of("WorkerState");
            case ERROR -> List.of("StreamError");
            case STREAM_GAP -> List.of("StreamGap");
            case ATTACHMENT_COPIED -> List.of("AttachmentCopied");
        };
    }

    /** The item type a variant stands for ({@code null}: any type without a variant of its own). */
    private static String itemTypeOf(String name) {
        if (name.endsWith("AgentMessage")) {
            return "agent_message";
        }
        if (name.endsWith("Command")) {
            return "command_execution";
        }
        if (name.endsWith("FileChanges")) {
            return "file_change";
        }
        return null;
    }

    private static String snake(String camel) {
        return PropertyNamingStrategies.SnakeCaseStrategy.INSTANCE.translate(camel);
    }

    /** The JSON Schema (2020-12) of an agent stream record, as {@code console.agent.stream.v1} and the SSE stream carry it. */
    public static ObjectNode schema() {
        ObjectMapper json = EventJson.mapper();
        ObjectNode root = json.createObjectNode();
        root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        root.put("$id", "https://devopsconsole.io/schemas/agent-stream-record.json");
        root.put("title", "AgentStreamRecord");
        root.put(
                "description",
                "One thing a worker did, relayed by the agent-runner (console.agent.stream.v1, key = session"
                        + " id). Generated from io.devopsconsole.events.agent.stream.StreamPayload: do not edit.");
        root.put("type", "object");
        ObjectNode props = root.putObject("properties");
        props.putObject("record_id").put("type", "string").put("format", "uuid");
        props.putObject("session_id").put("type", "string").put("format", "uuid");
        props.putObject("stream_seq").put("type", "integer").put("minimum", 1);
        ArrayNode kinds = props.putObject("kind").put("type", "string").putArray("enum");
        for (StreamKind k : StreamKind.values()) {
            kinds.add(k.wire());
        }
        nullable(props.putObject("turn_id"), "string");
        nullable(props.putObject("item_id"), "string");
        nullable(props.putObject("target_id"), "string").put("format", "uuid");
        nullable(props.putObject("at"), "string")
                .put("format", "date-time")
                .put(
                        "description",
                        "UTC, microsecond precision (as stored: live and replayed records are the same text)");
        props.putObject("payload").put("type", "object");
        nullable(props.putObject("fence"), "integer");
        root.putArray("required")
                .add("record_id")
                .add("session_id")
                .add("stream_seq")
                .add("kind")
                .add("payload");
        ArrayNode all = root.putArray("allOf");
        for (StreamKind k : StreamKind.values()) {
            ObjectNode rule = all.addObject();
            rule.putObject("if").putObject("properties").putObject("kind").put("const", k.wire());
            ObjectNode payload = rule.putObject("then").putObject("properties").putObject("payload");
            List<String> names = payloadsOf(k);
            if (names.size() == 1) {
                payload.put("$ref", "#/$defs/" + names.get(0));
            } else {
                ArrayNode one = payload.putArray("oneOf");
                names.forEach(n -> one.addObject().put("$ref", "#/$defs/" + n));
            }
        }
        ObjectNode defs = root.putObject("$defs");
        payloadTypes().forEach((name, type) -> defs.set(name, recordSchema(json, name, type)));
        return root;
    }

    private static ObjectNode recordSchema(ObjectMapper json, String name, Class<?> type) {
        ObjectNode schema = json.createObjectNode().put("type", "object").put("additionalProperties", false);
        ObjectNode props = schema.putObject("properties");
        ArrayNode required = json.createArrayNode();
        for (RecordComponent c : type.getRecordComponents()) {
            String field = snake(c.getName());
            ObjectNode p = props.putObject(field);
            if (field.equals("item_type") && name.startsWith("Item")) {
                String fixed = itemTypeOf(name);
                if (fixed != null) {
                    p.put("const", fixed);
                } else {
                    p.put("type", "string");
                    ArrayNode not = p.putObject("not").putArray("enum");
                    ITEM_TYPES_WITH_VARIANTS.stream().sorted().forEach(not::add);
                }
                required.add(field);
                continue;
            }
            if (field.equals("outcome") && type == StreamPayload.TurnEnded.class) {
                enumSchema(p, StreamPayload.TurnOutcome.class, false)
                        .put("description", "how the turn ended; the record's kind is turn_<outcome>");
                required.add(field);
                continue;
            }
            boolean primitive = c.getType().isPrimitive();
            property(json, p, c.getType(), c.getGenericType(), !primitive);
            if (primitive) {
                required.add(field);
            }
        }
        if (!required.isEmpty()) {
            schema.set("required", required);
        }
        return schema;
    }

    private static void property(ObjectMapper json, ObjectNode p, Class<?> raw, Type generic, boolean nullable) {
        if (raw == String.class) {
            type(p, "string", nullable);
        } else if (raw == boolean.class || raw == Boolean.class) {
            type(p, "boolean", nullable);
        } else if (raw == int.class || raw == Integer.class || raw == long.class || raw == Long.class) {
            type(p, "integer", nullable);
        } else if (raw == UUID.class) {
            type(p, "string", nullable).put("format", "uuid");
        } else if (raw.isEnum()) {
            enumSchema(p, raw, nullable);
        } else if (raw == List.class) {
            type(p, "array", nullable);
            Type item = ((ParameterizedType) generic).getActualTypeArguments()[0];
            p.putObject("items").put("$ref", "#/$defs/" + ((Class<?>) item).getSimpleName());
        } else {
            throw new IllegalStateException("no schema for " + raw);
        }
    }

    private static ObjectNode type(ObjectNode p, String type, boolean nullable) {
        return nullable ? nullable(p, type) : p.put("type", type);
    }

    private static ObjectNode nullable(ObjectNode p, String type) {
        p.putArray("type").add(type).add("null");
        return p;
    }

    private static ObjectNode enumSchema(ObjectNode p, Class<?> type, boolean nullable) {
        type(p, "string", nullable);
        ArrayNode values = p.putArray("enum");
        for (Object constant : type.getEnumConstants()) {
            values.add(wire(constant));
        }
        if (nullable) {
            values.addNull();
        }
        return p;
    }

    private static String wire(Object constant) {
        return ((Enum<?>) constant).name().toLowerCase(Locale.ROOT);
    }

    // ---- TypeScript -----------------------------------------------------------------------------

    /** The console's TypeScript types of stream records, from the same types as the schema. */
    public static String typescript() {
        StringBuilder ts = new StringBuilder();
        ts.append("// Generated from io.devopsconsole.events.agent.stream.StreamPayload (libs/event-contracts):\n")
                .append(
                        "// do not edit. Regenerate with: ./mvnw -B -q -pl libs/event-contracts compile exec:java@stream-contract\n\n");
        ts.append("export type StreamKind =\n");
        StreamKind[] kinds = StreamKind.values();
        for (int i = 0; i < kinds.length; i++) {
            ts.append("  | '").append(kinds[i].wire()).append("'").append(i == kinds.length - 1 ? ";\n\n" : "\n");
        }
        union(ts, "Risk", Risk.class);
        union(ts, "ApprovalKind", StreamPayload.ApprovalKind.class);
        union(ts, "TurnOutcome", StreamPayload.TurnOutcome.class);
        union(ts, "CommandOutcome", StreamPayload.CommandOutcome.class);
        payloadTypes().forEach((name, type) -> {
            ts.append("export interface ").append(name).append(" {\n");
            for (RecordComponent c : type.getRecordComponents()) {
                String field = snake(c.getName());
                ts.append("  ").append(field);
                if (field.equals("item_type") && name.startsWith("Item")) {
                    String fixed = itemTypeOf(name);
                    ts.append(": ")
                            .append(fixed == null ? "string" : "'" + fixed + "'")
                            .append(";\n");
                    continue;
                }
                boolean primitive =
                        c.getType().isPrimitive() || field.equals("outcome") && type == StreamPayload.TurnEnded.class;
                ts.append(primitive ? ": " : "?: ")
                        .append(tsType(c.getType(), c.getGenericType()))
                        .append(primitive ? "" : " | null")
                        .append(";\n");
            }
            ts.append("}\n\n");
        });
        ts.append("/** The payload of each kind of record. */\nexport interface StreamPayloads {\n");
        for (StreamKind k : kinds) {
            ts.append("  ")
                    .append(k.wire())
                    .append(": ")
                    .append(String.join(" | ", payloadsOf(k)))
                    .append(";\n");
        }
        ts.append("}\n\nexport type StreamPayload = StreamPayloads[StreamKind];\n");
        return ts.toString();
    }

    private static void union(StringBuilder ts, String name, Class<?> type) {
        List<String> values = new ArrayList<>();
        for (Object constant : type.getEnumConstants()) {
            values.add("'" + wire(constant) + "'");
        }
        ts.append("export type ")
                .append(name)
                .append(" = ")
                .append(String.join(" | ", values))
                .append(";\n\n");
    }

    private static String tsType(Class<?> raw, Type generic) {
        if (raw == String.class || raw == UUID.class) {
            return "string";
        }
        if (raw == boolean.class || raw == Boolean.class) {
            return "boolean";
        }
        if (raw == int.class || raw == Integer.class || raw == long.class || raw == Long.class) {
            return "number";
        }
        if (raw == Risk.class) {
            return "Risk";
        }
        if (raw.isEnum()) {
            return raw.getSimpleName();
        }
        if (raw == List.class) {
            return ((Class<?>) ((ParameterizedType) generic).getActualTypeArguments()[0]).getSimpleName() + "[]";
        }
        throw new IllegalStateException("no TypeScript type for " + raw);
    }

    /**
     * Writes the schema (into the module's resources) and the TypeScript types (into the console's
     * sources). Argument: the repository root.
     */
    public static void main(String[] args) throws IOException {
        Path root = Path.of(args.length > 0 ? args[0] : ".");
        Files.writeString(
                root.resolve("libs/event-contracts/src/main/resources/" + SCHEMA_RESOURCE),
                schemaText(),
                StandardCharsets.UTF_8);
        Files.writeString(
                root.resolve("console-ui/web/src/generated/stream-records.ts"), typescript(), StandardCharsets.UTF_8);
    }

    /** The schema as the committed file holds it. */
    public static String schemaText() {
        try {
            return EventJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(schema()) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
