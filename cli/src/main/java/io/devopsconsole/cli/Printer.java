package io.devopsconsole.cli;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * How the CLI shows what the console answers: tables of a few columns clipped to fit, or JSON with
 * every non-ASCII character escaped ({@code --json}: nothing a terminal could act on, lone surrogates
 * kept as their escapes); and a session's transcript as it streams — the agent's words as they come,
 * commands with {@code $}, their output, approvals, errors and the session's state — all inert.
 */
public final class Printer {

    static final ObjectWriter JSON_OUT = JsonMapper.builder()
            .enable(JsonWriteFeature.ESCAPE_NON_ASCII)
            .build()
            .writerWithDefaultPrettyPrinter();
    static final ObjectWriter JSON_LINE = JsonMapper.builder()
            .enable(JsonWriteFeature.ESCAPE_NON_ASCII)
            .build()
            .writer();

    private final PrintStream out;

    public Printer(PrintStream out) {
        this.out = out;
    }

    public void json(JsonNode node) {
        try {
            out.println(JSON_OUT.writeValueAsString(node));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public void jsonLine(JsonNode node) {
        try {
            out.println(JSON_LINE.writeValueAsString(node));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        out.flush();
    }

    /** A column: its heading and how to read it from a row. */
    public record Column(String heading, java.util.function.Function<JsonNode, String> value, int max) {
        public static Column of(String heading, String field) {
            return new Column(heading, r -> text(r.path(field)), 40);
        }

        public static Column of(String heading, String field, int max) {
            return new Column(heading, r -> text(r.path(field)), max);
        }
    }

    static String text(JsonNode n) {
        return n == null || n.isMissingNode() || n.isNull() ? "" : n.isTextual() ? n.asText() : n.toString();
    }

    public void table(Iterable<JsonNode> rows, List<Column> columns) {
        List<String[]> cells = new ArrayList<>();
        int[] width = new int[columns.size()];
        for (int c = 0; c < columns.size(); c++) {
            width[c] = columns.get(c).heading().length();
        }
        for (JsonNode row : rows) {
            String[] line = new String[columns.size()];
            for (int c = 0; c < columns.size(); c++) {
                String v = Inert.cell(columns.get(c).value().apply(row));
                int max = columns.get(c).max();
                if (v.codePointCount(0, v.length()) > max) {
                    v = v.substring(0, v.offsetByCodePoints(0, max - 1)) + "…";
                }
                line[c] = v;
                width[c] = Math.max(width[c], v.codePointCount(0, v.length()));
            }
            cells.add(line);
        }
        StringBuilder head = new StringBuilder();
        for (int c = 0; c < columns.size(); c++) {
            head.append(pad(
                    columns.get(c).heading().toUpperCase(java.util.Locale.ROOT), width[c], c == columns.size() - 1));
        }
        out.println(head.toString().stripTrailing());
        for (String[] line : cells) {
            StringBuilder b = new StringBuilder();
            for (int c = 0; c < line.length; c++) {
                b.append(pad(line[c], width[c], c == line.length - 1));
            }
            out.println(b.toString().stripTrailing());
        }
        if (cells.isEmpty()) {
            out.println("(none)");
        }
    }

    private static String pad(String s, int width, boolean last) {
        if (last) {
            return s;
        }
        int n = s.codePointCount(0, s.length());
        return s + " ".repeat(Math.max(0, width - n)) + "  ";
    }

    /** Facts of one thing: "name: value" lines. */
    public void facts(JsonNode row, List<Column> columns) {
        int w = columns.stream().mapToInt(c -> c.heading().length()).max().orElse(0);
        for (Column c : columns) {
            String v = c.value().apply(row);
            if (v != null && !v.isEmpty()) {
                out.println(c.heading() + ":" + " ".repeat(w - c.heading().length() + 1) + Inert.cell(v));
            }
        }
    }

    /** A transcript as it streams: the agent's deltas joined on one line, everything else on lines of its own. */
    public static final class Transcript {
        private final PrintStream out;
        private String open; // the item whose text is being written without a line end (agent words, output)
        private final java.util.Set<String> streamed = new java.util.HashSet<>();
        private final java.util.Map<String, String> errorOfTurn = new java.util.HashMap<>();
        private boolean lineEnded = true;

        public Transcript(PrintStream out) {
            this.out = out;
        }

        public void entry(JsonNode e) {
            String kind = e.path("kind").asText();
            JsonNode b = e.path("body");
            String key = e.path("turn_id").asText("") + ":" + e.path("item_id").asText("");
            switch (kind) {
                case "operator_message" ->
                    line("> " + e.path("actor").asText() + ": " + b.path("text").asText());
                case "agent_message_delta" ->
                    stream("agent:" + key, b.path("delta").asText());
                case "command_output_delta" ->
                    stream("output:" + key, b.path("delta").asText());
                case "item_started" -> {
                    if (b.path("item_type").asText().equals("command_execution")) {
                        line("$ " + b.path("command").asText());
                    }
                }
                case "item_completed" -> {
                    String type = b.path("item_type").asText();
                    if (type.equals("agent_message") && !streamed.contains("agent:" + key)) {
                        line(b.path("text").asText()); // nothing of it streamed here (joined after it was written)
                    } else if (type.equals("command_execution")) {
                        String exit = b.hasNonNull("exit_code")
                                ? "exit " + b.path("exit_code").asText()
                                : b.path("outcome").asText("ended");
                        line("[" + exit + "]");
                    } else {
                        end();
                    }
                }
                case "approval_requested" ->
                    line("! approval waiting (" + b.path("risk").asText("unknown") + "): "
                            + (b.hasNonNull("command") ? b.path("command").asText() : "file changes")
                            + " — devops approvals list");
                case "approval_decided" ->
                    line("! approval " + b.path("decision").asText() + " by "
                            + b.path("decided_by").asText()
                            + (b.hasNonNull("reason") ? " (" + b.path("reason").asText() + ")" : ""));
                case "status" ->
                    line("— session " + b.path("state").asText()
                            + (b.hasNonNull("reason") ? ": " + b.path("reason").asText() : ""));
                case "turn_failed", "turn_timed_out" -> {
                    // codex reports a failure as an error and again as the turn's end, with the same words: shown once
                    String message = b.path("message").asText(kind.replace('_', ' '));
                    if (!message.equals(errorOfTurn.remove(e.path("turn_id").asText("")))) {
                        line("error: " + message);
                    }
                }
                case "turn_completed", "turn_interrupted" -> {
                    errorOfTurn.remove(e.path("turn_id").asText(""));
                    line(kind.equals("turn_completed") ? "— turn completed" : "— turn interrupted");
                }
                case "error" -> {
                    boolean retry = b.path("will_retry").asBoolean();
                    if (!retry) {
                        errorOfTurn.put(
                                e.path("turn_id").asText(""), b.path("message").asText());
                    }
                    line((retry ? "notice: " : "error: ") + b.path("message").asText() + (retry ? " (retrying)" : ""));
                }
                case "system_note" -> line("note: " + b.path("text").asText());
                case "attachment_added" ->
                    line("attached by " + b.path("uploaded_by").asText() + ": "
                            + b.path("name").asText() + " ("
                            + b.path("media_type").asText() + ", "
                            + b.path("size_bytes").asLong() + " bytes)");
                case "attachment_copied" ->
                    line(
                            b.path("state").asText().equals("copied")
                                    ? "attachment " + b.path("name").asText() + " is on the host: "
                                            + b.path("path").asText()
                                    : "attachment " + b.path("name").asText() + " was not copied: "
                                            + b.path("message").asText());
                case "stream_gap" ->
                    line("note: " + b.path("message").asText("part of this item ran while no runner was attached"));
                case "worker_state" -> {
                    String s = b.path("state").asText();
                    if (List.of("detached", "reattaching", "reattached", "command_stuck", "lost", "failed")
                            .contains(s)) {
                        line("worker " + s
                                + (b.hasNonNull("message")
                                        ? ": " + b.path("message").asText()
                                        : ""));
                    }
                }
                default -> {}
            }
            out.flush();
        }

        private void stream(String item, String text) {
            if (!item.equals(open)) {
                end();
                open = item;
                streamed.add(item);
                lineEnded = true;
            }
            String shown = Inert.lines(text);
            out.print(shown);
            if (!shown.isEmpty()) {
                lineEnded = shown.endsWith("\n");
            }
        }

        private void line(String text) {
            end();
            out.println(Inert.lines(text));
        }

        void end() {
            if (open != null) {
                if (!lineEnded) {
                    out.println();
                }
                open = null;
                lineEnded = true;
            }
        }
    }
}
