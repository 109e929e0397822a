package io.devopsconsole.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.devopsconsole.cli.Printer.Column;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The audit trail: search it, verify its hash chain, export it. */
@Command(
        name = "audit",
        description = "Audit trail: search, verify, export.",
        subcommands = {Audit.Search.class, Audit.Verify.class, Audit.Export.class})
final class Audit {

    static final List<Column> ROWS = List.of(
            Column.of("time", "time", 32),
            Column.of("actor", "actor", 24),
            Column.of("action", "action", 32),
            new Column(
                    "resource",
                    r -> Printer.text(r.path("resource_type")) + " "
                            + Printer.text(
                                    r.path("resource_name").isMissingNode()
                                                    || r.path("resource_name").isNull()
                                            ? r.path("resource_id")
                                            : r.path("resource_name")),
                    40),
            Column.of("risk", "risk", 12),
            Column.of("summary", "summary", 80));

    /** The filters the console's audit viewer has. */
    static final class Filters {
        @Option(names = "--actor")
        String actor;

        @Option(names = "--action", description = "e.g. session.started")
        String action;

        @Option(names = "--resource-type", description = "e.g. project")
        String resourceType;

        @Option(names = "--risk", description = "e.g. destructive")
        String risk;

        @Option(names = "--session")
        String session;

        @Option(names = "--text", description = "words in the summary")
        String text;

        @Option(names = "--from", description = "an ISO-8601 time, e.g. 2026-12-01T00:00:00Z")
        String from;

        @Option(names = "--to")
        String to;

        Map<String, Object> query() {
            Map<String, Object> q = new LinkedHashMap<>();
            q.put("actor", actor);
            q.put("action", action);
            q.put("resource_type", resourceType);
            q.put("risk", risk);
            q.put("session_id", session);
            q.put("q", text);
            q.put("from", from);
            q.put("to", to);
            return q;
        }
    }

    @Command(name = "search", description = "Audit records, newest first.")
    static final class Search extends Devops.Json implements Callable<Integer> {
        @Mixin
        Filters filters;

        @Option(
                names = "--limit",
                defaultValue = "50",
                description = "how many (default ${DEFAULT-VALUE}; pages are followed)")
        int limit;

        @Override
        public Integer call() {
            Api api = Devops.context.api;
            List<JsonNode> rows = new java.util.ArrayList<>();
            String cursor = null;
            while (rows.size() < limit) {
                Map<String, Object> q = filters.query();
                q.put("limit", Math.min(200, limit - rows.size()));
                q.put("cursor", cursor);
                JsonNode page = api.get("/api/audit/events" + Api.query(q));
                page.path("items").forEach(rows::add);
                cursor = page.path("next_cursor").asText(null);
                if (cursor == null || page.path("items").isEmpty()) {
                    break;
                }
            }
            answer(Store.JSON.valueToTree(rows), p -> p.table(rows, ROWS));
            return 0;
        }
    }

    @Command(name = "verify", description = "Verify the audit trail's hash chain; exit 1 when a link is broken.")
    static final class Verify extends Devops.Json implements Callable<Integer> {
        @Override
        public Integer call() {
            JsonNode v = Devops.context.api.get("/api/audit/verify");
            if (json) {
                new Printer(Devops.context.out).json(v);
            } else {
                StringBuilder s = new StringBuilder(v.path("intact").asBoolean() ? "chain intact" : "chain broken")
                        .append(": ")
                        .append(v.path("verified_records").asLong())
                        .append(" records verified");
                int broken = v.path("broken_link_count").asInt();
                if (broken > 0) {
                    s.append("; ").append(broken).append(" broken link(s) at seq");
                    int n = 0;
                    for (JsonNode l : v.path("broken_links")) {
                        if (n++ == 10) {
                            s.append(" …");
                            break;
                        }
                        s.append(' ').append(l.path("seq").asText());
                    }
                }
                Devops.context.out.println(s);
            }
            return v.path("intact").asBoolean() ? 0 : CliException.REFUSED;
        }
    }

    @Command(
            name = "export",
            description = "Export the matching records as NDJSON or CSV (to a file or standard output).")
    static final class Export implements Callable<Integer> {
        @Mixin
        Filters filters;

        @Option(names = "--format", defaultValue = "ndjson", description = "ndjson or csv (default ${DEFAULT-VALUE})")
        String format;

        @Option(
                names = {"-o", "--output"},
                description = "a file (default: standard output)")
        Path output;

        @Override
        public Integer call() throws IOException {
            if (!format.equals("ndjson") && !format.equals("csv")) {
                throw new CliException(CliException.REFUSED, "--format must be ndjson or csv");
            }
            Map<String, Object> q = new LinkedHashMap<>();
            q.put("format", format);
            q.putAll(filters.query());
            try (InputStream in = Devops.context.api.download("/api/audit/export" + Api.query(q))) {
                if (output == null && System.console() != null) {
                    // to a terminal: shown inert (a record may hold escape sequences); piped, the bytes as exported
                    Devops.context.out.print(
                            Inert.lines(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)));
                    Devops.context.out.flush();
                } else if (output == null) {
                    in.transferTo(Devops.context.out);
                    Devops.context.out.flush();
                } else {
                    try (OutputStream out = Files.newOutputStream(output)) {
                        long n = in.transferTo(out);
                        Devops.context.err.println("Wrote " + n + " bytes to " + output);
                    }
                }
            }
            return 0;
        }
    }
}
