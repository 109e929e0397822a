package io.devopsconsole.events.agent.stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.devopsconsole.events.EventJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The shared examples of agent stream records ({@code stream-fixtures/*.json} on the class path:
 * a whole turn with a message, an approved command and a file change; and a session in trouble —
 * a declined destructive command, a stuck command, a reattach with read-back output, a takeover
 * gap, errors, a dead-lettered record, failed, timed-out and interrupted turns). The contract's own
 * test, session-service's storage tests and the console's unit tests read the same files.
 */
public final class StreamFixtures {

    public static final List<String> FILES = List.of("stream-fixtures/a-turn.json", "stream-fixtures/trouble.json");

    private StreamFixtures() {}

    /** Every fixture record, in file order. */
    public static List<JsonNode> all() {
        List<JsonNode> records = new ArrayList<>();
        for (String file : FILES) {
            records.addAll(file(file));
        }
        return records;
    }

    public static List<JsonNode> file(String file) {
        try (InputStream in = StreamFixtures.class.getClassLoader().getResourceAsStream(file)) {
            if (in == null) {
                throw new IllegalStateException(file + " is not on the class path");
            }
            List<JsonNode> records = new ArrayList<>();
            EventJson.mapper().readTree(in).forEach(records::add);
            return records;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
