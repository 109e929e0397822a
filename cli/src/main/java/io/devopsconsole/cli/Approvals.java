package io.devopsconsole.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.devopsconsole.cli.Printer.Column;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** What waits for a person: every pending approval the user may see, and the decision on one. */
@Command(
        name = "approvals",
        description = "Approvals: list what waits, approve or deny one.",
        subcommands = {Approvals.Pending.class, Approvals.Approve.class, Approvals.Deny.class})
final class Approvals {

    static final List<Column> ROWS = List.of(
            new Column("id", i -> Printer.text(i.path("approval").path("id")), 36),
            new Column("project", i -> Printer.text(i.path("project_name")), 24),
            new Column("risk", i -> Printer.text(i.path("approval").path("risk")), 12),
            new Column("expires", i -> Printer.text(i.path("approval").path("expires_at")), 20),
            new Column("you decide", i -> i.path("may_decide").asBoolean() ? "yes" : "no", 10),
            new Column(
                    "command",
                    i -> Printer.text(
                            i.path("approval").has("command")
                                            && !i.path("approval")
                                                    .path("command")
                                                    .isNull()
                                    ? i.path("approval").path("command")
                                    : i.path("approval").path("summary")),
                    200));

    @Command(
            name = "list",
            description = "Every approval waiting for a decision, oldest first, with the whole command.")
    static final class Pending extends Devops.Json implements Callable<Integer> {
        @Override
        public Integer call() {
            JsonNode page = Devops.context.api.get("/api/approvals/pending");
            answer(page, p -> p.table(page.path("items"), ROWS));
            return 0;
        }
    }

    static JsonNode pending(Api api, String id) {
        for (JsonNode i : api.get("/api/approvals/pending").path("items")) {
            if (i.path("approval").path("id").asText().equals(id)) {
                return i;
            }
        }
        throw new CliException(
                CliException.REFUSED,
                "approval " + Inert.cell(id) + " is not waiting (decided, expired or unknown); devops approvals list");
    }

    /** A decision on one pending approval, by its id. */
    abstract static class Decision extends Devops.Json implements Callable<Integer> {
        @Parameters(paramLabel = "APPROVAL")
        String id;

        @Option(names = "--reason")
        String reason;

        int decide(String decision, String typed) {
            Devops.Context c = Devops.context;
            JsonNode a = pending(c.api, id).path("approval");
            if (decision.equals("approved") && a.path("risk").asText().equals("destructive")) {
                c.err.println(
                        "Destructive command, in " + Inert.cell(a.path("cwd").asText("?")) + ":");
                c.err.println("  "
                        + Inert.lines(a.path("command").asText(a.path("summary").asText())));
                String word = typed != null ? typed : c.ask("Type approve to run it: ");
                if (word == null || !word.strip().equals("approve")) {
                    throw new CliException(
                            CliException.REFUSED,
                            "a destructive command is approved only with the word approve typed; nothing was decided");
                }
            }
            ObjectNode body = Store.JSON.createObjectNode().put("decision", decision);
            if (reason != null) {
                body.put("reason", reason);
            }
            JsonNode decided = c.api.post(
                    "/api/sessions/" + a.path("session_id").asText() + "/approvals/" + id + "/decision", body);
            answer(
                    decided,
                    p -> c.out.println(
                            "Approval " + id + " " + decided.path("state").asText() + "."));
            return 0;
        }
    }

    @Command(name = "approve", description = "Approve one (a destructive one only with the word approve typed).")
    static final class Approve extends Decision {
        @Option(
                names = "--type",
                paramLabel = "WORD",
                description = "the typed word for a destructive command, when not asked on the terminal")
        String typed;

        @Override
        public Integer call() {
            return decide("approved", typed);
        }
    }

    @Command(name = "deny", description = "Deny one.")
    static final class Deny extends Decision {
        @Override
        public Integer call() {
            return decide("denied", null);
        }
    }
}
