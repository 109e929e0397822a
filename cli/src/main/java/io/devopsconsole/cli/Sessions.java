package io.devopsconsole.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.devopsconsole.cli.Printer.Column;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Agent sessions: list a project's history, start one, talk to it, follow it live, interrupt and stop it. */
@Command(
        name = "sessions",
        description = "Agent sessions: list, show, start, send, tail, interrupt, stop, log, attach.",
        subcommands = {
            Sessions.ListSessions.class,
            Sessions.Show.class,
            Sessions.Start.class,
            Sessions.Send.class,
            Sessions.Tail.class,
            Sessions.Interrupt.class,
            Sessions.Stop.class,
            Sessions.WorkerLog.class,
            Sessions.ConsoleLog.class,
            Sessions.Attach.class
        })
final class Sessions {

    static final List<Column> ROWS = List.of(
            Column.of("id", "id"),
            Column.of("state", "state"),
            Column.of("started by", "started_by"),
            Column.of("started", "created_at", 20),
            Column.of("target", "target_name"),
            Column.of("first message", "first_message", 48),
            Column.of("reason", "state_reason", 40));
    static final List<Column> FACTS = List.of(
            Column.of("id", "id"),
            Column.of("project", "project_id"),
            Column.of("state", "state"),
            Column.of("reason", "state_reason"),
            Column.of("approvals", "approval_policy"),
            Column.of("started by", "started_by"),
            Column.of("turn operator", "turn_operator"),
            Column.of("started", "created_at"),
            Column.of("ended", "ended_at"),
            Column.of("events", "last_seq"));

    /**
     * A session by id, or a project (id, slug or name) standing for its live session.
     */
    static JsonNode resolve(Api api, String ref) {
        if (Refs.isId(ref)) {
            try {
                return api.get("/api/sessions/" + ref);
            } catch (CliException e) {
                if (e.status() != 404) {
                    throw e;
                }
            }
        }
        JsonNode project = Refs.project(api, ref);
        try {
            return api.get("/api/sessions/active"
                    + Api.query(Map.of("project_id", project.path("id").asText())));
        } catch (CliException e) {
            if (e.status() == 404) {
                throw new CliException(
                        CliException.REFUSED,
                        "project " + Inert.cell(project.path("name").asText())
                                + " has no live session; devops sessions start "
                                + Inert.cell(project.path("slug").asText()));
            }
            throw e;
        }
    }

    @Command(name = "list", description = "A project's sessions, newest first (its history).")
    static final class ListSessions extends Devops.Json implements Callable<Integer> {
        @Parameters(paramLabel = "PROJECT", description = "id, slug or name")
        String project;

        @Option(names = "--search", description = "words in messages, commands, output or the end reason")
        String search;

        @Option(names = "--state", description = "requested, active, waiting_approval, stopping, stopped, failed")
        String state;

        @Option(names = "--limit", defaultValue = "20")
        int limit;

        @Override
        public Integer call() {
            Api api = Devops.context.api;
            String id = Refs.project(api, project).path("id").asText();
            JsonNode page = api.get("/api/sessions"
                    + Api.query(Map.of(
                            "project_id",
                            id,
                            "q",
                            search == null ? "" : search,
                            "state",
                            state == null ? "" : state,
                            "limit",
                            limit)));
            answer(page, p -> p.table(page.path("items"), ROWS));
            return 0;
        }
    }

    @Command(name = "show", description = "One session: state, who started it, approvals policy.")
    static final class Show extends Devops.Json implements Callable<Integer> {
        @Parameters(paramLabel = "SESSION", description = "a session id, or a project for its live session")
        String ref;

        @Override
        public Integer call() {
            JsonNode s = resolve(Devops.context.api, ref);
            answer(s, p -> p.facts(s, FACTS));
            return 0;
        }
    }

    @Command(name = "start", description = "Start a project's session (the agent starts on the first message).")
    static final class Start extends Devops.Json implements Callable<Integer> {
        @Parameters(paramLabel = "PROJECT", description = "id, slug or name")
        String project;

        @Option(
                names = "--approvals",
                defaultValue = "manual",
                description =
                        "manual (every request asks) or auto_approve_benign (read-only requests approved); default ${DEFAULT-VALUE}")
        String approvals;

        @Override
        public Integer call() {
            Api api = Devops.context.api;
            String id = Refs.project(api, project).path("id").asText();
            JsonNode s = api.post(
                    "/api/sessions",
                    Store.JSON.createObjectNode().put("project_id", id).put("approval_policy", approvals));
            answer(
                    s,
                    p -> Devops.context.out.println("Session " + s.path("id").asText() + " "
                            + s.path("state").asText()
                            + "; the agent starts on the first message: devops sessions send "
                            + s.path("id").asText() + " TEXT"));
            return 0;
        }
    }

    /** Ends a tail early (the turn the command waited for ended). */
    static final class Done extends RuntimeException {
        Done() {
            super(null, null, false, false);
        }
    }

    @Command(name = "send", description = "Send the agent a message; --wait follows its answer until the turn ends.")
    static final class Send extends Devops.Json implements Callable<Integer> {
        @Parameters(
                index = "0",
                paramLabel = "SESSION",
                description = "a session id, or a project for its live session")
        String ref;

        @Parameters(
                index = "1..*",
                paramLabel = "TEXT",
                arity = "1..*",
                description = "the message ('-' reads it from standard input)")
        List<String> words;

        @Option(names = "--wait", description = "show the answer as it streams, until the turn ends")
        boolean waitForAnswer;

        @Override
        public Integer call() throws IOException {
            Devops.Context c = Devops.context;
            String text = words.size() == 1 && words.get(0).equals("-")
                    ? new String(System.in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
                    : String.join(" ", words);
            JsonNode s = resolve(c.api, ref);
            String id = s.path("id").asText();
            JsonNode posted = c.api.post(
                    "/api/sessions/" + id + "/messages",
                    Store.JSON.createObjectNode().put("text", text));
            if (!waitForAnswer) {
                answer(
                        posted,
                        p -> c.out.println("Sent (event " + posted.path("seq").asLong() + ")."));
                return 0;
            }
            return follow(c, id, posted.path("seq").asLong(), json, true);
        }
    }

    @Command(name = "tail", description = "Follow a session live (resumes by itself after a dropped connection).")
    static final class Tail extends Devops.Json implements Callable<Integer> {
        @Parameters(paramLabel = "SESSION", description = "a session id, or a project for its live session")
        String ref;

        @Option(names = "--from", description = "start after this event (default: the whole transcript)")
        Long from;

        @Option(names = "--new", description = "only what happens from now on")
        boolean onlyNew;

        @Override
        public Integer call() {
            Devops.Context c = Devops.context;
            JsonNode s = resolve(c.api, ref);
            long after = from != null ? from : onlyNew ? s.path("last_seq").asLong() : 0;
            return follow(c, s.path("id").asText(), after, json, false);
        }
    }

    /** Streams the session from {@code after}: NDJSON records with --json, the transcript otherwise. */
    static int follow(Devops.Context c, String session, long after, boolean json, boolean untilTurnEnds) {
        Printer.Transcript transcript = new Printer.Transcript(c.out);
        Printer printer = new Printer(c.out);
        EventStream stream = new EventStream(c.api, "/api/sessions/" + session + "/stream", after);
        try {
            stream.follow(new EventStream.Listener() {
                @Override
                public void record(long seq, String data) {
                    JsonNode entry;
                    try {
                        entry = Store.JSON.readTree(data);
                    } catch (IOException e) {
                        c.err.println("devops: event " + seq + " is not JSON; skipped");
                        return;
                    }
                    if (json) {
                        printer.jsonLine(entry);
                    } else {
                        transcript.entry(entry);
                    }
                    String kind = entry.path("kind").asText();
                    if (untilTurnEnds && kind.startsWith("turn_") && !kind.equals("turn_started")) {
                        throw new Done();
                    }
                }

                @Override
                public void connected(long from) {
                    if (!untilTurnEnds) {
                        c.err.println("devops: following session " + session + " after event " + from);
                    }
                }

                @Override
                public void reconnecting(long last, String why) {
                    transcript.end();
                    c.err.println("devops: " + Inert.cell(why) + "; resuming after event " + last);
                }
            });
        } catch (Done done) {
            return 0;
        }
        transcript.end();
        if (!json) {
            c.out.println("— the session has ended");
        }
        return 0;
    }

    @Command(
            name = "attach",
            description = "Attach a file: stored, audited and put into the session's working directory on its host"
                    + " (.devops-console/attachments/NAME).")
    static final class Attach extends Devops.Json implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "SESSION")
        String ref;

        @Parameters(index = "1", paramLabel = "FILE")
        java.nio.file.Path file;

        @Option(names = "--type", description = "its media type (default: guessed from the name, else text/plain)")
        String type;

        @Option(names = "--name", description = "its name on the host (default: the file's name)")
        String name;

        @Override
        public Integer call() throws IOException {
            Api api = Devops.context.api;
            JsonNode s = resolve(api, ref);
            byte[] content = java.nio.file.Files.readAllBytes(file);
            String as = name != null ? name : file.getFileName().toString();
            String media = type != null ? type : guess(as);
            JsonNode a = api.upload(
                    "/api/sessions/" + s.path("id").asText() + "/attachments" + Api.query(Map.of("name", as)),
                    content,
                    media);
            answer(
                    a,
                    p -> Devops.context.out.println(
                            "Attached " + Inert.cell(a.path("name").asText()) + " ("
                                    + a.path("size_bytes").asLong() + " bytes, sha256 "
                                    + a.path("sha256").asText()
                                    + "); the runner puts it on the host (devops sessions tail shows when)."));
            return 0;
        }

        /** A media type from the file's name (the console checks it against the content). */
        static String guess(String name) {
            String lower = name.toLowerCase(java.util.Locale.ROOT);
            Map<String, String> byEnd = new java.util.LinkedHashMap<>();
            byEnd.put(".json", "application/json");
            byEnd.put(".yaml", "application/yaml");
            byEnd.put(".yml", "application/yaml");
            byEnd.put(".xml", "application/xml");
            byEnd.put(".toml", "application/toml");
            byEnd.put(".md", "text/markdown");
            byEnd.put(".csv", "text/csv");
            byEnd.put(".png", "image/png");
            byEnd.put(".jpg", "image/jpeg");
            byEnd.put(".jpeg", "image/jpeg");
            byEnd.put(".gif", "image/gif");
            byEnd.put(".webp", "image/webp");
            byEnd.put(".pdf", "application/pdf");
            byEnd.put(".gz", "application/gzip");
            byEnd.put(".tgz", "application/gzip");
            byEnd.put(".zip", "application/zip");
            byEnd.put(".tar", "application/x-tar");
            return byEnd.entrySet().stream()
                    .filter(e -> lower.endsWith(e.getKey()))
                    .map(Map.Entry::getValue)
                    .findFirst()
                    .orElse("text/plain");
        }
    }

    @Command(
            name = "log",
            description = "The end of the session's app-server log on its host (admins; secrets redacted).")
    static final class WorkerLog extends Devops.Json implements Callable<Integer> {
        @Parameters(paramLabel = "SESSION")
        String ref;

        @Option(
                names = "--bytes",
                defaultValue = "262144",
                description = "how much of the end (default ${DEFAULT-VALUE})")
        int bytes;

        @Override
        public Integer call() {
            Api api = Devops.context.api;
            JsonNode s = resolve(api, ref);
            JsonNode worker = null;
            for (JsonNode w : api.get("/api/workers"
                            + Api.query(Map.of("session_id", s.path("id").asText(), "limit", 20)))
                    .path("items")) {
                if (w.hasNonNull("server_key")) {
                    worker = w;
                    break;
                }
            }
            if (worker == null) {
                throw new CliException(CliException.REFUSED, "no app-server with a log ran for this session yet");
            }
            JsonNode log = api.post(
                    "/api/targets/" + worker.path("target_id").asText() + "/app-servers/"
                            + worker.path("server_key").asText() + "/log",
                    Store.JSON.createObjectNode().put("max_bytes", bytes));
            if (json) {
                new Printer(Devops.context.out).json(log);
                return 0;
            }
            if (!log.path("exists").asBoolean()) {
                Devops.context.out.println("The host keeps no log for this app-server.");
                return 0;
            }
            Devops.context.err.println((log.path("truncated").asBoolean()
                            ? "The last " + log.path("shown_bytes").asLong() + " of "
                                    + log.path("size_bytes").asLong() + " bytes"
                            : "All " + log.path("size_bytes").asLong() + " bytes")
                    + " of the app-server log on "
                    + Inert.cell(log.path("target_name").asText()) + " (secrets redacted):");
            Devops.context.out.print(Inert.lines(log.path("text").asText()));
            Devops.context.out.flush();
            return 0;
        }
    }

    @Command(
            name = "console-log",
            description = "What the console's own services logged while acting for the session (admins; secrets"
                    + " redacted), oldest first.")
    static final class ConsoleLog extends Devops.Json implements Callable<Integer> {
        @Parameters(paramLabel = "SESSION")
        String ref;

        @Option(
                names = "--level",
                defaultValue = "INFO",
                description = "the least severe level shown: DEBUG, INFO, WARN or ERROR (default ${DEFAULT-VALUE})")
        String level;

        @Option(
                names = "--limit",
                defaultValue = "200",
                description = "the newest this many records (1 to 1000, default ${DEFAULT-VALUE})")
        int limit;

        @Override
        public Integer call() {
            Api api = Devops.context.api;
            JsonNode s = resolve(api, ref);
            JsonNode page = api.get("/api/sessions/" + s.path("id").asText() + "/console-logs"
                    + Api.query(Map.of("level", level, "limit", limit)));
            if (json) {
                new Printer(Devops.context.out).json(page);
                return 0;
            }
            for (JsonNode r : page.path("items")) {
                Devops.context.out.println(Inert.cell(r.path("at").asText()) + " "
                        + Inert.cell(r.path("level").asText())
                        + " " + Inert.cell(r.path("service").asText()) + " "
                        + Inert.cell(r.path("instance").asText())
                        + ": " + Inert.lines(r.path("message").asText()));
                if (r.hasNonNull("thrown")) {
                    Devops.context.out.print(Inert.lines(r.path("thrown").asText() + "\n"));
                }
            }
            if (page.path("items").isEmpty()) {
                Devops.context.err.println("Nothing logged about this session at " + level + " or above.");
            } else if (page.hasNonNull("older")) {
                Devops.context.err.println("(older records exist: --limit up to 1000, or the console)");
            }
            Devops.context.out.flush();
            return 0;
        }
    }

    @Command(name = "interrupt", description = "Interrupt the running turn.")
    static final class Interrupt implements Callable<Integer> {
        @Parameters(paramLabel = "SESSION")
        String ref;

        @Override
        public Integer call() {
            JsonNode s = resolve(Devops.context.api, ref);
            Devops.context.api.post("/api/sessions/" + s.path("id").asText() + "/interrupt", null);
            Devops.context.out.println("Interrupt requested.");
            return 0;
        }
    }

    @Command(name = "stop", description = "Stop the session (its transcript stays in the history).")
    static final class Stop extends Devops.Json implements Callable<Integer> {
        @Parameters(paramLabel = "SESSION")
        String ref;

        @Option(names = "--reason", description = "why (kept with the session)")
        String reason;

        @Override
        public Integer call() {
            JsonNode s = resolve(Devops.context.api, ref);
            JsonNode stopped = Devops.context.api.post(
                    "/api/sessions/" + s.path("id").asText() + "/stop",
                    reason == null
                            ? Store.JSON.createObjectNode()
                            : Store.JSON.createObjectNode().put("reason", reason));
            answer(
                    stopped,
                    p -> Devops.context.out.println(
                            "Session " + stopped.path("id").asText() + " "
                                    + stopped.path("state").asText() + "."));
            return 0;
        }
    }
}
