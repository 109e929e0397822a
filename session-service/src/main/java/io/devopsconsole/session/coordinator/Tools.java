package io.devopsconsole.session.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.devopsconsole.platform.security.Roles;
import io.devopsconsole.platform.validation.SafeDirectoryValidator;
import io.devopsconsole.session.coordinator.ConsoleApi.Answer;
import io.devopsconsole.session.coordinator.ConsoleApi.Service;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The console's operations as the coordinator's tools (the same set for the model's dynamic tools
 * and for slash commands). Each tool takes JSON arguments checked against its schema here, then
 * calls the console's own API with the operator's token: the API's roles, validators, production
 * gate and audit decide, exactly as for any client. No tool takes shell text; no argument reaches
 * a command line. Tools marked {@link Confirm#ALWAYS} (or {@link Confirm#PRODUCTION} on a production
 * target) do nothing when first called but propose: the operation runs only once the operator
 * confirms (ADR 0026).
 */
@ApplicationScoped
public class Tools {

    /** When a tool needs the operator's confirmation before it acts. */
    public enum Confirm {
        NEVER,
        ALWAYS,
        PRODUCTION
    }

    /** Who is calling: the operator's name, roles and bearer token (held in memory for the call only). */
    public record Operator(String name, Set<String> roles, String token) {
        public boolean hasAny(Set<String> allowed) {
            return roles.stream().anyMatch(allowed::contains);
        }
    }

    /** One call of a tool. {@code confirmed}: it runs a proposal the operator confirmed. */
    public record Call(
            Operator operator,
            Conversations.Conversation conversation,
            String via,
            ObjectNode args,
            boolean confirmed,
            UUID proposalId) {}

    /** A proposal a tool asks for instead of acting: what it would do and the phrase that confirms it. */
    public record Proposed(String summary, String phrase, ObjectNode arguments) {}

    /**
     * What a call came to. {@code outcome}: ok, proposed, refused (the API answered 4xx, or the
     * arguments were wrong), failed. {@code text} is what the model (and the chat card) reads.
     */
    public record Result(
            String outcome, Integer status, String subject, String text, ObjectNode card, Proposed proposal, UUID run) {

        static Result ok(String subject, String text, ObjectNode card) {
            return new Result("ok", 200, subject, text, card, null, null);
        }

        static Result refused(int status, String subject, String text) {
            return new Result(status >= 500 ? "failed" : "refused", status, subject, text, null, null, null);
        }

        Result withRun(UUID run) {
            return new Result(outcome, status, subject, text, card, proposal, run);
        }
    }

    /** A tool: what the model is told, its argument schema, the least role it needs, and whether it asks first. */
    public record Tool(
            String name, String description, ObjectNode schema, Set<String> roles, Confirm confirm, Handler handler) {
        public String role() {
            return roles.contains(Roles.VIEWER)
                    ? Roles.VIEWER
                    : roles.contains(Roles.OPERATOR)
                            ? Roles.OPERATOR
                            : roles.contains(Roles.APPROVER) ? Roles.APPROVER : Roles.ADMIN;
        }
    }

    @FunctionalInterface
    interface Handler {
        Result run(Call call) throws Refusal, InterruptedException;
    }

    /** A call that cannot go on: the status (400 bad argument, 403 not allowed, 404 unknown name...) and why. */
    static final class Refusal extends Exception {
        final int status;

        Refusal(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    static final Set<String> VIEWERS = Set.of(Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN);
    static final Set<String> OPERATORS = Set.of(Roles.OPERATOR, Roles.APPROVER, Roles.ADMIN);
    static final Set<String> APPROVERS = Set.of(Roles.APPROVER, Roles.ADMIN);
    static final Set<String> ADMINS = Set.of(Roles.ADMIN);

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    private final ConsoleApi api;
    private final CoordinatorConfig config;
    private final io.vertx.mutiny.sqlclient.Pool pool;
    private final String schema;
    private final Map<String, Tool> tools = new LinkedHashMap<>();

    public Tools(
            ConsoleApi api,
            CoordinatorConfig config,
            io.vertx.mutiny.sqlclient.Pool pool,
            @org.eclipse.microprofile.config.inject.ConfigProperty(name = "devops.schema") String schema) {
        this.api = api;
        this.config = config;
        this.pool = pool;
        this.schema = schema;
        define();
    }

    public List<Tool> all() {
        return List.copyOf(tools.values());
    }

    public Tool get(String name) {
        return tools.get(name);
    }

    // ---------------------------------------------------------------- the catalog

    private void define() {
        add(
                "list_targets",
                "List the SSH targets with readiness, reachability and Codex status.",
                schema(),
                VIEWERS,
                Confirm.NEVER,
                this::listTargets);
        add(
                "show_target",
                "Show one SSH target by name: address, environment, host key, readiness.",
                schema(str("name", "the target's name", true)),
                VIEWERS,
                Confirm.NEVER,
                this::showTarget);
        add(
                "check_reachability",
                "Check now whether a target's SSH port answers (TCP) and why it is or is not ready.",
                schema(str("name", "the target's name", true)),
                VIEWERS,
                Confirm.NEVER,
                this::showTarget);
        add(
                "list_projects",
                "List the projects and whether each has a live session.",
                schema(),
                VIEWERS,
                Confirm.NEVER,
                this::listProjects);
        add(
                "rename_target",
                "Rename a target (lab and staging at once; production asks the operator first).",
                schema(str("name", "the target's current name", true), str("new_name", "the new name", true)),
                OPERATORS,
                Confirm.PRODUCTION,
                this::renameTarget);
        add(
                "update_target_host",
                "Change a target's host address, SSH port or login user (production asks the operator first).",
                schema(
                        str("name", "the target's name", true),
                        str("host", "new host name or IP address", false),
                        integer("port", "new SSH port", false),
                        str("username", "new login user", false)),
                OPERATORS,
                Confirm.PRODUCTION,
                this::updateTargetHost);
        add(
                "remove_target",
                "Remove a retired target from the inventory (asks the operator first).",
                schema(str("name", "the target's name", true)),
                APPROVERS,
                Confirm.ALWAYS,
                this::removeTarget);
        add(
                "start_onboarding",
                "Start onboarding a new server from the operator's words. Pass the operator's sentence as request"
                        + " and, when you can tell, host, name, user, port and environment; the console's intake"
                        + " parser checks them.",
                schema(
                        str("request", "the operator's sentence, as written", false),
                        str("host", "host name or IP address", false),
                        str("name", "the name the operator gave the server", false),
                        str("user", "SSH login user", false),
                        integer("port", "SSH port", false),
                        str("environment", "lab, staging or production", false)),
                OPERATORS,
                Confirm.NEVER,
                this::startOnboarding);
        add(
                "show_onboarding",
                "Show the onboarding run this conversation is about: its state and what it waits for.",
                schema(str("run_id", "a run id (default: the conversation's run)", false)),
                VIEWERS,
                Confirm.NEVER,
                this::showOnboarding);
        add(
                "show_host_key",
                "Show the host key the server under onboarding presents, with its SHA256 fingerprint.",
                schema(str("run_id", "a run id (default: the conversation's run)", false)),
                VIEWERS,
                Confirm.NEVER,
                this::showHostKey);
        add(
                "trust_host_key",
                "Trust the host key the server under onboarding presents (the operator is shown the fingerprint and"
                        + " must confirm).",
                schema(
                        str("run_id", "a run id (default: the conversation's run)", false),
                        str(
                                "fingerprint",
                                "the SHA256 fingerprint the operator was shown (the console fills it in)",
                                false)),
                OPERATORS,
                Confirm.ALWAYS,
                this::trustHostKey);
        add(
                "advance_onboarding",
                "Advance the onboarding run this conversation is about by one step (\"go on\").",
                schema(str("run_id", "a run id (default: the conversation's run)", false)),
                OPERATORS,
                Confirm.NEVER,
                this::advanceOnboarding);
        add(
                "approve_install_plan",
                "Approve the install plan of the onboarding run (asks the operator first).",
                schema(str("run_id", "a run id (default: the conversation's run)", false)),
                OPERATORS,
                Confirm.ALWAYS,
                this::approvePlan);
        add(
                "execute_install_plan",
                "Execute the approved install plan of the onboarding run (asks the operator first).",
                schema(str("run_id", "a run id (default: the conversation's run)", false)),
                OPERATORS,
                Confirm.ALWAYS,
                this::executePlan);
        add(
                "provision_auth_slot",
                "Lease a Codex auth slot to a target and write its auth.json there (an admin confirms first).",
                schema(str("slot", "the auth slot's name", true), str("target", "the target's name", true)),
                ADMINS,
                Confirm.ALWAYS,
                this::provisionAuthSlot);
        add(
                "prepare_handoff",
                "Prepare a project-start handoff when the operator states a project kickoff: the package the project's"
                        + " worker starts from (goal, inventory, recent activity).",
                schema(
                        str("project", "the project's name or slug", true),
                        str("intent", "the kickoff, in the operator's words", true)),
                OPERATORS,
                Confirm.NEVER,
                this::prepareHandoff);
        add(
                "start_session",
                "Open a project's agent session. With a target (and a working directory) the session runs there:"
                        + " the project is created when there is none by that name, and its runtime profile is"
                        + " created or re-pointed to that target and directory. Without, the worker starts on the"
                        + " project's runtime profile.",
                schema(
                        str("project", "the project's name or slug", true),
                        str("target", "the target the worker runs on", false),
                        str(
                                "working_directory",
                                "absolute directory on the target (default: the project's default)",
                                false)),
                OPERATORS,
                Confirm.NEVER,
                this::startSession);
        add(
                "setup_cockpit",
                "Set up the Cockpit web console on a ready lab target, as a fixed approved sequence: prepare the"
                        + " project tree, apt update, install cockpit, enable cockpit.socket, verify port 9090;"
                        + " answers the URL. The operator confirms first.",
                schema(
                        str("target", "the target's name", true),
                        str("directory", "the project tree to prepare (absolute; default /opt/cockpit)", false)),
                OPERATORS,
                Confirm.ALWAYS,
                this::setupCockpit);
        add(
                "send_to_worker",
                "Send a work request to a project's agent worker and relay its streamed answer into this chat.",
                schema(
                        str("project", "the project's name or slug", true),
                        str("text", "the request", true),
                        str("target", "which of the project's bound targets runs it (default: the primary)", false)),
                OPERATORS,
                Confirm.NEVER,
                this::sendToWorker);
        add(
                "decide_approval",
                "Approve or deny a command a project's agent asked to run.",
                schema(
                        str("approval_id", "the approval's id", true),
                        str("decision", "approved or denied", true),
                        str("reason", "why (optional)", false)),
                OPERATORS,
                Confirm.NEVER,
                this::decideApproval);
        add(
                "show_audit",
                "Show the newest audit records about a target or a project.",
                schema(str("target", "a target's name", false), str("project", "a project's name or slug", false)),
                VIEWERS,
                Confirm.NEVER,
                this::showAudit);
    }

    private void add(
            String name, String description, ObjectNode schema, Set<String> roles, Confirm confirm, Handler h) {
        tools.put(name, new Tool(name, description, schema, roles, confirm, h));
    }

    // ---------------------------------------------------------------- argument schemas and checks

    private record Prop(String name, String type, String description, boolean required) {}

    private static Prop str(String name, String description, boolean required) {
        return new Prop(name, "string", description, required);
    }

    private static Prop integer(String name, String description, boolean required) {
        return new Prop(name, "integer", description, required);
    }

    private static ObjectNode schema(Prop... props) {
        ObjectNode schema = Conversations.body().put("type", "object");
        ObjectNode properties = schema.putObject("properties");
        ArrayNode required = schema.putArray("required");
        for (Prop p : props) {
            ObjectNode prop =
                    properties.putObject(p.name()).put("type", p.type()).put("description", p.description());
            if (p.type().equals("string")) {
                prop.put("maxLength", p.name().equals("request") || p.name().equals("text") ? 4000 : 253);
            }
            if (p.required()) {
                required.add(p.name());
            }
        }
        schema.put("additionalProperties", false);
        return schema;
    }

    /** Checks arguments against the tool's schema: known names, types, lengths, the required ones present. */
    static void check(Tool tool, ObjectNode args) throws Refusal {
        JsonNode properties = tool.schema().path("properties");
        var names = args.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            JsonNode spec = properties.get(name);
            if (spec == null) {
                throw new Refusal(400, name + ": is not an argument of " + tool.name());
            }
            JsonNode value = args.get(name);
            if (value.isNull()) {
                continue;
            }
            if (spec.path("type").asText().equals("string")) {
                if (!value.isTextual()) {
                    throw new Refusal(400, name + ": must be a string");
                }
                if (value.asText().length() > spec.path("maxLength").asInt(253)) {
                    throw new Refusal(
                            400,
                            name + ": is longer than " + spec.path("maxLength").asInt() + " characters");
                }
            } else if (!value.canConvertToInt() || !value.isIntegralNumber()) {
                throw new Refusal(400, name + ": must be a whole number");
            }
        }
        for (JsonNode required : tool.schema().path("required")) {
            JsonNode value = args.get(required.asText());
            if (value == null
                    || value.isNull()
                    || (value.isTextual() && value.asText().isBlank())) {
                throw new Refusal(400, required.asText() + ": is required");
            }
        }
    }

    private static String text(ObjectNode args, String name) {
        JsonNode v = args.get(name);
        return v == null || v.isNull() || v.asText().isBlank()
                ? null
                : v.asText().strip();
    }

    private static String name(ObjectNode args, String field) throws Refusal {
        String value = text(args, field);
        if (value == null || !NAME.matcher(value).matches()) {
            throw new Refusal(400, field + ": must be a name of letters, digits, '.', '_' or '-' (at most 63)");
        }
        return value;
    }

    private static UUID uuid(String value, String field) throws Refusal {
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new Refusal(400, field + ": must be an id (UUID)");
        }
    }

    private static String q(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- calling the APIs

    private Answer call(Call c, Service service, String method, String path, JsonNode body)
            throws InterruptedException {
        try {
            return api.call(
                            service,
                            method,
                            path,
                            body,
                            c.operator().token(),
                            c.conversation().id())
                    .get(config.toolTimeout().toMillis() + 2000, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return new Answer(503, Conversations.body().put("detail", "the console's API did not answer in time"));
        }
    }

    /** The answer's body, or the refusal it was. */
    private JsonNode ok(Answer a, String what) throws Refusal {
        if (!a.ok()) {
            throw new Refusal(a.status(), what + ": " + a.problem());
        }
        return a.body();
    }

    private JsonNode target(Call c, String name) throws Refusal, InterruptedException {
        JsonNode page = ok(
                call(c, Service.REGISTRY, "GET", "/api/ssh-targets?size=50&name_prefix=" + q(name), null),
                "looking up target " + name);
        for (JsonNode t : page.path("items")) {
            if (t.path("name").asText().equalsIgnoreCase(name)) {
                return t;
            }
        }
        throw new Refusal(404, "there is no target named " + name);
    }

    private JsonNode project(Call c, String nameOrSlug) throws Refusal, InterruptedException {
        JsonNode p = findProject(c, nameOrSlug);
        if (p == null) {
            throw new Refusal(404, "there is no project named " + nameOrSlug);
        }
        return p;
    }

    private JsonNode findProject(Call c, String nameOrSlug) throws Refusal, InterruptedException {
        JsonNode page = ok(call(c, Service.REGISTRY, "GET", "/api/projects?size=500", null), "listing projects");
        for (JsonNode p : page.path("items")) {
            if (p.path("name").asText().equalsIgnoreCase(nameOrSlug)
                    || p.path("slug").asText().equalsIgnoreCase(nameOrSlug)) {
                return p;
            }
        }
        return null;
    }

    private UUID run(Call c) throws Refusal {
        String given = text(c.args(), "run_id");
        if (given != null) {
            return uuid(given, "run_id");
        }
        if (c.conversation().run() == null) {
            throw new Refusal(404, "this conversation is not about an onboarding run yet; start one first");
        }
        return c.conversation().run();
    }

    private static ObjectNode card(String title) {
        return Conversations.body().put("title", title);
    }

    // ---------------------------------------------------------------- the tools

    private Result listTargets(Call c) throws Refusal, InterruptedException {
        JsonNode page =
                ok(call(c, Service.REGISTRY, "GET", "/api/remote-access/targets?size=200", null), "listing targets");
        StringBuilder out = new StringBuilder();
        ObjectNode card = card("Targets");
        ArrayNode rows = card.putArray("rows");
        for (JsonNode t : page.path("items")) {
            String line = t.path("name").asText() + " — " + t.path("host").asText() + ":"
                    + t.path("port").asInt() + ", "
                    + t.path("environment").asText() + ", "
                    + (t.path("ready_for_execution").asBoolean() ? "ready" : "not ready")
                    + ", reachability " + t.path("reachability").path("status").asText("unknown") + ", codex "
                    + t.path("codex_status").asText("unknown");
            out.append(line).append('\n');
            rows.add(line);
        }
        if (rows.isEmpty()) {
            out.append("no targets registered");
        }
        card.put("total", page.path("total").asLong(rows.size()));
        return Result.ok(null, out.toString().strip(), card);
    }

    private Result showTarget(Call c) throws Refusal, InterruptedException {
        String name = name(c.args(), "name");
        JsonNode t = target(c, name);
        JsonNode access = ok(
                call(
                        c,
                        Service.REGISTRY,
                        "GET",
                        "/api/remote-access/targets/" + uuid(t.path("id").asText(), "id"),
                        null),
                "checking " + name);
        JsonNode key = t.path("trusted_host_key");
        String text = t.path("name").asText() + " (" + t.path("environment").asText() + ") at "
                + t.path("host").asText()
                + ":" + t.path("port").asInt() + " as " + t.path("username").asText() + "\n"
                + "host key: "
                + (key.isMissingNode() || key.isNull()
                        ? "not trusted"
                        : key.path("fingerprint_sha256").asText()) + "\n"
                + "reachability: " + access.path("reachability").path("status").asText("unknown")
                + (access.path("reachability").path("detail").isTextual()
                        ? " (" + access.path("reachability").path("detail").asText() + ")"
                        : "")
                + "\nready for execution: " + access.path("ready_for_execution").asBoolean()
                + (access.path("reasons").isEmpty() ? "" : " — " + join(access.path("reasons")))
                + "\ncodex: " + t.path("codex_status").asText("unknown")
                + (t.path("retired").asBoolean() ? "\nretired" : "");
        ObjectNode card = card("Target " + t.path("name").asText()).put("text", text);
        return Result.ok(t.path("name").asText(), text, card);
    }

    private static String join(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return String.join("; ", out);
    }

    private Result listProjects(Call c) throws Refusal, InterruptedException {
        JsonNode page = ok(call(c, Service.REGISTRY, "GET", "/api/projects?size=500", null), "listing projects");
        StringBuilder out = new StringBuilder();
        ObjectNode card = card("Projects");
        ArrayNode rows = card.putArray("rows");
        for (JsonNode p : page.path("items")) {
            Answer live = call(
                    c,
                    Service.SESSION,
                    "GET",
                    "/api/sessions/active?project_id=" + q(p.path("id").asText()),
                    null);
            String line = p.path("name").asText() + " (" + p.path("slug").asText() + ")"
                    + (live.ok()
                            ? " — live session " + live.body().path("state").asText()
                            : " — no live session");
            out.append(line).append('\n');
            rows.add(line);
        }
        return Result.ok(null, rows.isEmpty() ? "no projects" : out.toString().strip(), card);
    }

    /** The PUT body that changes only what {@code change} says. */
    private static ObjectNode update(JsonNode t, ObjectNode change, boolean confirm) {
        ObjectNode body = Conversations.body();
        for (String f : List.of(
                "name",
                "host",
                "port",
                "username",
                "environment",
                "site_id",
                "access_path",
                "tunnel_profile_id",
                "key_reference",
                "version")) {
            JsonNode v = change.has(f) ? change.get(f) : t.get(f);
            if (v != null && !v.isNull()) {
                body.set(f, v);
            }
        }
        if (confirm) {
            body.put("confirm", true);
        }
        return body;
    }

    private Result changeTarget(Call c, String name, ObjectNode change, String summary)
            throws Refusal, InterruptedException {
        JsonNode t = target(c, name);
        boolean production =
                t.path("environment").asText().equals("production") || "production".equals(text(change, "environment"));
        if (production && !c.confirmed()) {
            if (!c.operator().hasAny(APPROVERS)) {
                throw new Refusal(403, "changing production target " + name + " needs an approver or admin");
            }
            ObjectNode args = c.args().deepCopy();
            return new Result(
                    "proposed",
                    null,
                    t.path("name").asText(),
                    "This is a production target: the operator must" + " confirm \"" + summary
                            + "\" before it happens.",
                    null,
                    new Proposed(
                            summary + " (production)",
                            "change " + t.path("name").asText(),
                            args),
                    null);
        }
        JsonNode updated = ok(
                call(
                        c,
                        Service.REGISTRY,
                        "PUT",
                        "/api/ssh-targets/" + uuid(t.path("id").asText(), "id"),
                        update(t, change, production)),
                summary);
        String text = "done: " + summary + " (now " + updated.path("name").asText() + " at "
                + updated.path("host").asText() + ":" + updated.path("port").asInt() + " as "
                + updated.path("username").asText() + ")";
        return Result.ok(
                updated.path("name").asText(), text, card("Target changed").put("text", text));
    }

    private Result renameTarget(Call c) throws Refusal, InterruptedException {
        String name = name(c.args(), "name");
        String newName = name(c.args(), "new_name");
        return changeTarget(
                c, name, Conversations.body().put("name", newName), "rename target " + name + " to " + newName);
    }

    private Result updateTargetHost(Call c) throws Refusal, InterruptedException {
        String name = name(c.args(), "name");
        ObjectNode change = Conversations.body();
        List<String> what = new ArrayList<>();
        if (text(c.args(), "host") != null) {
            change.put("host", text(c.args(), "host"));
            what.add("host " + text(c.args(), "host"));
        }
        if (c.args().hasNonNull("port")) {
            change.put("port", c.args().get("port").asInt());
            what.add("port " + c.args().get("port").asInt());
        }
        if (text(c.args(), "username") != null) {
            change.put("username", text(c.args(), "username"));
            what.add("user " + text(c.args(), "username"));
        }
        if (what.isEmpty()) {
            throw new Refusal(400, "host: give a host, port or username to change");
        }
        return changeTarget(c, name, change, "set " + String.join(", ", what) + " on target " + name);
    }

    private Result removeTarget(Call c) throws Refusal, InterruptedException {
        String name = name(c.args(), "name");
        JsonNode t = target(c, name);
        if (!c.confirmed()) {
            if (!t.path("retired").asBoolean()) {
                throw new Refusal(409, "target " + name + " is not retired; retire it first");
            }
            return new Result(
                    "proposed",
                    null,
                    t.path("name").asText(),
                    "Waiting for the operator to confirm the removal.",
                    null,
                    new Proposed(
                            "remove retired target " + t.path("name").asText(),
                            "remove " + t.path("name").asText(),
                            c.args().deepCopy()),
                    null);
        }
        ok(
                call(
                        c,
                        Service.REGISTRY,
                        "DELETE",
                        "/api/ssh-targets/" + uuid(t.path("id").asText(), "id"),
                        Conversations.body().put("confirm", true)),
                "removing " + name);
        return Result.ok(
                t.path("name").asText(), "removed target " + t.path("name").asText(), card("Target removed"));
    }

    private static String describeRun(JsonNode run) {
        StringBuilder out = new StringBuilder();
        out.append("onboarding run ")
                .append(run.path("id").asText())
                .append(" of ")
                .append(run.path("target_name").asText("?"))
                .append(" (")
                .append(run.path("host").asText("?"))
                .append("): ")
                .append(run.path("state").asText());
        if (run.path("waiting_for").isTextual()) {
            out.append(", waiting for ").append(run.path("waiting_for").asText());
        }
        if (run.path("failure").isTextual()) {
            out.append(", failed: ").append(run.path("failure").asText());
        }
        JsonNode key = run.path("presented_host_key");
        if (key.isObject()) {
            out.append("\npresented host key ")
                    .append(key.path("key_type").asText())
                    .append(' ')
                    .append(key.path("fingerprint_sha256").asText());
        }
        if (run.path("install_plan_id").isTextual()) {
            out.append("\ninstall plan ").append(run.path("install_plan_id").asText());
        }
        return out.toString();
    }

    private Result runResult(JsonNode run, String title) {
        String text = describeRun(run);
        ObjectNode card = card(title)
                .put("text", text)
                .put("run_id", run.path("id").asText())
                .put("state", run.path("state").asText());
        UUID id = UUID.fromString(run.path("id").asText());
        return Result.ok(run.path("target_name").asText(null), text, card).withRun(id);
    }

    private Result startOnboarding(Call c) throws Refusal, InterruptedException {
        ObjectNode intake = Conversations.body();
        for (String f : List.of("request", "host", "name", "user", "environment")) {
            if (text(c.args(), f) != null) {
                intake.put(f, text(c.args(), f));
            }
        }
        if (c.args().hasNonNull("port")) {
            intake.put("port", c.args().get("port").asInt());
        }
        if (intake.isEmpty()) {
            throw new Refusal(400, "request: say which server to onboard (host and name)");
        }
        JsonNode run =
                ok(call(c, Service.ONBOARDING, "POST", "/api/agent-target-onboarding", intake), "starting onboarding");
        return runResult(run, "Onboarding started");
    }

    private JsonNode getRun(Call c, UUID run) throws Refusal, InterruptedException {
        return ok(
                call(c, Service.ONBOARDING, "GET", "/api/agent-target-onboarding/" + run, null), "reading run " + run);
    }

    private Result showOnboarding(Call c) throws Refusal, InterruptedException {
        return runResult(getRun(c, run(c)), "Onboarding");
    }

    private Result showHostKey(Call c) throws Refusal, InterruptedException {
        UUID run = run(c);
        JsonNode report = ok(
                call(c, Service.ONBOARDING, "GET", "/api/agent-target-onboarding/" + run + "/host-key", null),
                "reading the host key");
        JsonNode presented = report.path("presented");
        String text = presented.isObject()
                ? "the server presents " + presented.path("key_type").asText() + " "
                        + presented.path("fingerprint_sha256").asText()
                        + (report.path("matches_trusted").asBoolean() ? " (already trusted)" : " (not trusted yet)")
                : "the server has presented no host key yet (advance the run to discover it)";
        return Result.ok(null, text, card("Host key").put("text", text)).withRun(run);
    }

    private Result trustHostKey(Call c) throws Refusal, InterruptedException {
        UUID run = run(c);
        JsonNode report = ok(
                call(c, Service.ONBOARDING, "GET", "/api/agent-target-onboarding/" + run + "/host-key", null),
                "reading the host key");
        JsonNode presented = report.path("presented").isObject() ? report.path("presented") : report.path("recorded");
        if (!presented.isObject()) {
            throw new Refusal(409, "the server has presented no host key yet; advance the run to discover it first");
        }
        String fingerprint = presented.path("fingerprint_sha256").asText();
        JsonNode runView = getRun(c, run);
        String target = runView.path("target_name").asText("the server");
        if (!c.confirmed()) {
            ObjectNode args = Conversations.body().put("run_id", run.toString()).put("fingerprint", fingerprint);
            return new Result(
                    "proposed",
                    null,
                    target,
                    "The operator is shown fingerprint " + fingerprint + " and must confirm before it is trusted.",
                    null,
                    new Proposed(
                            "trust host key " + presented.path("key_type").asText() + " " + fingerprint + " for "
                                    + target,
                            "trust " + target,
                            args),
                    run);
        }
        // the fingerprint the operator saw is the one trusted: a different key now is refused by the API
        String seen = text(c.args(), "fingerprint") == null ? fingerprint : text(c.args(), "fingerprint");
        JsonNode after = ok(
                call(
                        c,
                        Service.ONBOARDING,
                        "POST",
                        "/api/agent-target-onboarding/" + run + "/host-key/trust",
                        Conversations.body().put("confirm_trust", true).put("fingerprint_sha256", seen)),
                "trusting the host key");
        return runResult(after, "Host key trusted");
    }

    private Result advanceOnboarding(Call c) throws Refusal, InterruptedException {
        UUID run = run(c);
        JsonNode after = ok(
                call(c, Service.ONBOARDING, "POST", "/api/agent-target-onboarding/" + run + "/advance", null),
                "advancing the run");
        return runResult(after, "Onboarding advanced");
    }

    private UUID plan(Call c, UUID run) throws Refusal, InterruptedException {
        JsonNode view = getRun(c, run);
        if (!view.path("install_plan_id").isTextual()) {
            throw new Refusal(409, "run " + run + " has no install plan (yet): " + describeRun(view));
        }
        return uuid(view.path("install_plan_id").asText(), "install_plan_id");
    }

    private Result approvePlan(Call c) throws Refusal, InterruptedException {
        UUID run = run(c);
        UUID plan = plan(c, run);
        if (!c.confirmed()) {
            return new Result(
                    "proposed",
                    null,
                    plan.toString(),
                    "Waiting for the operator to confirm the plan approval.",
                    null,
                    new Proposed(
                            "approve install plan " + plan,
                            "approve plan",
                            Conversations.body().put("run_id", run.toString())),
                    run);
        }
        JsonNode view = ok(
                call(
                        c,
                        Service.ONBOARDING,
                        "POST",
                        "/api/install-plans/" + plan + "/approve",
                        Conversations.body().put("note", "confirmed in the coordinator chat")),
                "approving the plan");
        String text = "install plan " + plan + " is " + view.path("state").asText();
        return Result.ok(plan.toString(), text, card("Install plan").put("text", text))
                .withRun(run);
    }

    private Result executePlan(Call c) throws Refusal, InterruptedException {
        UUID run = run(c);
        UUID plan = plan(c, run);
        if (!c.confirmed()) {
            return new Result(
                    "proposed",
                    null,
                    plan.toString(),
                    "Waiting for the operator to confirm the plan execution.",
                    null,
                    new Proposed(
                            "execute install plan " + plan,
                            "execute plan",
                            Conversations.body().put("run_id", run.toString())),
                    run);
        }
        JsonNode view = ok(
                call(
                        c,
                        Service.ONBOARDING,
                        "POST",
                        "/api/install-plans/" + plan + "/execute",
                        Conversations.body().put("confirm_execute", true)),
                "executing the plan");
        String text = "install plan " + plan + " is " + view.path("state").asText();
        return Result.ok(plan.toString(), text, card("Install plan").put("text", text))
                .withRun(run);
    }

    private Result provisionAuthSlot(Call c) throws Refusal, InterruptedException {
        String slotName = name(c.args(), "slot");
        JsonNode t = target(c, name(c.args(), "target"));
        JsonNode slot = null;
        JsonNode slots =
                ok(call(c, Service.ONBOARDING, "GET", "/api/codex-auth/slots?size=500", null), "listing auth slots");
        // the slot list is a JSON array (not a page)
        for (JsonNode s : slots.isArray() ? slots : slots.path("items")) {
            if (s.path("name").asText().equalsIgnoreCase(slotName)) {
                slot = s;
            }
        }
        if (slot == null) {
            throw new Refusal(404, "there is no Codex auth slot named " + slotName);
        }
        String target = t.path("name").asText();
        if (!c.confirmed()) {
            if (!c.operator().hasAny(ADMINS)) {
                throw new Refusal(403, "leasing a Codex auth slot through the coordinator needs an admin");
            }
            return new Result(
                    "proposed",
                    null,
                    target,
                    "Waiting for the admin to confirm.",
                    null,
                    new Proposed(
                            "lease Codex auth slot " + slot.path("name").asText() + " to " + target
                                    + " and write its auth.json there",
                            "provision " + target,
                            c.args().deepCopy()),
                    null);
        }
        UUID id = uuid(slot.path("id").asText(), "slot");
        if (!t.path("id").asText().equals(slot.path("leased_target_id").asText())) {
            ok(
                    call(
                            c,
                            Service.ONBOARDING,
                            "POST",
                            "/api/codex-auth/slots/" + id + "/lease",
                            Conversations.body().put("target_id", t.path("id").asText())),
                    "leasing the slot");
        }
        JsonNode provisioned = ok(
                call(
                        c,
                        Service.ONBOARDING,
                        "POST",
                        "/api/codex-auth/slots/" + id + "/provision",
                        Conversations.body()
                                .put("confirm_provision", true)
                                .put(
                                        "confirm_production",
                                        t.path("environment").asText().equals("production"))),
                "provisioning the slot");
        String text = "Codex auth slot " + provisioned.path("name").asText(slotName) + " provisioned to " + target;
        return Result.ok(target, text, card("Codex auth provisioned").put("text", text));
    }

    private static final Pattern SLUG = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    private Result startSession(Call c) throws Refusal, InterruptedException {
        String projectName = text(c.args(), "project");
        String targetName = text(c.args(), "target");
        String directory = text(c.args(), "working_directory");
        if (directory != null && targetName == null) {
            throw new Refusal(400, "target: name the target the working directory is on");
        }
        if (directory != null && !SafeDirectoryValidator.isSafeWorkspace(directory)) {
            throw new Refusal(
                    400,
                    "working_directory: must be an absolute, normalized path outside system and credential"
                            + " directories");
        }
        JsonNode t = targetName == null ? null : target(c, name(c.args(), "target"));
        List<String> did = new ArrayList<>();
        JsonNode p = findProject(c, projectName);
        if (p == null) {
            if (t == null) {
                throw new Refusal(404, "there is no project named " + projectName);
            }
            String slug = projectName
                    .toLowerCase(Locale.ROOT)
                    .replaceAll("[^a-z0-9]+", "-")
                    .replaceAll("(^-+|-+$)", "");
            if (!SLUG.matcher(slug).matches()) {
                throw new Refusal(
                        400, "project: " + projectName + " does not make a project slug (letters, digits, '-')");
            }
            progress(c, "creating project " + projectName);
            p = ok(
                    call(
                            c,
                            Service.REGISTRY,
                            "POST",
                            "/api/projects",
                            Conversations.body()
                                    .put("slug", slug)
                                    .put("name", projectName)
                                    .put("default_working_directory", directory == null ? "/srv/" + slug : directory)),
                    "creating the project");
            did.add("created project " + p.path("name").asText());
        }
        String projectId = p.path("id").asText();
        if (t != null) {
            String dir = directory == null ? p.path("default_working_directory").asText() : directory;
            String placed = place(c, projectId, t, dir);
            if (placed != null) {
                did.add(placed);
            }
        }
        progress(c, "opening a session of " + p.path("name").asText());
        Answer opened = call(
                c,
                Service.SESSION,
                "POST",
                "/api/sessions",
                Conversations.body().put("project_id", projectId));
        // a project created a moment ago reaches session-service through the registry's events: wait for it
        for (int i = 0;
                i < 40 && opened.status() == 400 && opened.problem().contains("names no registered project");
                i++) {
            Thread.sleep(250);
            opened = call(
                    c,
                    Service.SESSION,
                    "POST",
                    "/api/sessions",
                    Conversations.body().put("project_id", projectId));
        }
        JsonNode session = ok(opened, "opening the session");
        did.add("session " + session.path("id").asText() + " of "
                + p.path("name").asText() + " is " + session.path("state").asText()
                + "; the worker starts with the first message");
        String text = String.join("; ", did);
        return Result.ok(
                p.path("name").asText(),
                text,
                card("Session opened")
                        .put("text", text)
                        .put("session_id", session.path("id").asText()));
    }

    /**
     * Makes the project's runtime profile run on {@code t} in {@code dir} (primary binding): creates
     * the profile when there is none, re-points its primary binding when it differs (the target's old
     * secondary binding, if any, is dropped). Returns what changed, or null.
     */
    private String place(Call c, String projectId, JsonNode t, String dir) throws Refusal, InterruptedException {
        String targetId = t.path("id").asText();
        JsonNode profiles = ok(
                call(c, Service.REGISTRY, "GET", "/api/runtime-profiles?project_id=" + q(projectId), null),
                "reading the project's runtime profile");
        JsonNode profile = profiles.path("items").path(0);
        ObjectNode primary = Conversations.body()
                .put("target_id", targetId)
                .put("role", "primary")
                .put("working_directory", dir);
        if (profile.isMissingNode()) {
            progress(c, "binding the project to " + t.path("name").asText() + " in " + dir);
            ObjectNode body = Conversations.body().put("project_id", projectId);
            body.putArray("bindings").add(primary);
            ok(call(c, Service.REGISTRY, "POST", "/api/runtime-profiles", body), "creating the runtime profile");
            return "bound to " + t.path("name").asText() + " in " + dir;
        }
        for (JsonNode b : profile.path("bindings")) {
            if ("primary".equals(b.path("role").asText())
                    && targetId.equals(b.path("target_id").asText())
                    && dir.equals(b.path("working_directory").asText())) {
                return null;
            }
        }
        progress(c, "moving the project's worker to " + t.path("name").asText() + " in " + dir);
        ObjectNode body = Conversations.body()
                .put("switch_policy", profile.path("switch_policy").asText("attach"))
                .put("version", profile.path("version").asLong());
        if (profile.hasNonNull("codex")) {
            body.set("codex", profile.get("codex"));
        }
        var bindings = body.putArray("bindings");
        bindings.add(primary);
        for (JsonNode b : profile.path("bindings")) {
            if (!"primary".equals(b.path("role").asText())
                    && !targetId.equals(b.path("target_id").asText())) {
                bindings.add(b);
            }
        }
        ok(
                call(
                        c,
                        Service.REGISTRY,
                        "PUT",
                        "/api/runtime-profiles/" + uuid(profile.path("id").asText(), "runtime_profile"),
                        body),
                "re-pointing the runtime profile");
        return "now runs on " + t.path("name").asText() + " in " + dir;
    }

    private Result setupCockpit(Call c) throws Refusal, InterruptedException {
        JsonNode t = target(c, name(c.args(), "target"));
        String target = t.path("name").asText();
        String directory = text(c.args(), "directory") == null ? "/opt/cockpit" : text(c.args(), "directory");
        if (!SafeDirectoryValidator.isSafeWorkspace(directory)) {
            throw new Refusal(
                    400, "directory: must be an absolute, normalized path outside system and credential directories");
        }
        if (!c.confirmed()) {
            if (!c.operator().hasAny(OPERATORS)) {
                throw new Refusal(403, "setting up Cockpit needs an operator, approver or admin");
            }
            ObjectNode args = Conversations.body().put("target", target).put("directory", directory);
            return new Result(
                    "proposed",
                    null,
                    target,
                    "Waiting for the operator to confirm the fixed Cockpit steps on " + target + ".",
                    null,
                    new Proposed(
                            "set up Cockpit on " + target + ": prepare " + directory
                                    + ", apt update, apt install -y cockpit, systemctl enable --now cockpit.socket,"
                                    + " verify port 9090",
                            "cockpit " + target,
                            args),
                    null);
        }
        String base = "/api/host-workflows";
        JsonNode proposed = ok(
                call(
                        c,
                        Service.ONBOARDING,
                        "POST",
                        base,
                        Conversations.body()
                                .put("workflow", "cockpit")
                                .put("target_id", t.path("id").asText())
                                .put("directory", directory)),
                "proposing the Cockpit workflow");
        UUID id = uuid(proposed.path("id").asText(), "id");
        ok(
                call(
                        c,
                        Service.ONBOARDING,
                        "POST",
                        base + "/" + id + "/approve",
                        Conversations.body()
                                .put(
                                        "note",
                                        "confirmed in coordinator conversation "
                                                + c.conversation().id())),
                "approving the Cockpit workflow");
        ok(
                call(
                        c,
                        Service.ONBOARDING,
                        "POST",
                        base + "/" + id + "/execute",
                        Conversations.body().put("confirm_execute", true)),
                "starting the Cockpit workflow");
        long deadline = System.nanoTime() + config.workflowWait().toNanos();
        int said = 0;
        JsonNode view = proposed;
        while (System.nanoTime() < deadline) {
            view = ok(call(c, Service.ONBOARDING, "GET", base + "/" + id, null), "following the Cockpit workflow");
            for (JsonNode step : view.path("steps")) {
                if (step.path("seq").asInt() > said && step.hasNonNull("exit_code")) {
                    said = step.path("seq").asInt();
                    progress(
                            c,
                            "Cockpit on " + target + ": " + step.path("title").asText() + " — "
                                    + ("ok".equals(step.path("state").asText())
                                            ? "done"
                                            : "exited " + step.path("exit_code").asInt()));
                }
            }
            if (!"executing".equals(view.path("state").asText())) {
                break;
            }
            Thread.sleep(500);
        }
        String state = view.path("state").asText();
        ObjectNode card =
                card("Cockpit on " + target).put("workflow_id", id.toString()).put("state", state);
        if ("succeeded".equals(state)) {
            String url = view.path("result_url").asText();
            String text = "Cockpit is set up on " + target + ": " + url;
            return Result.ok(target, text, card.put("text", text).put("url", url));
        }
        if ("executing".equals(state)) {
            String text = "Cockpit setup on " + target + " is still running (workflow " + id + "); ask again later";
            return Result.ok(target, text, card.put("text", text));
        }
        return Result.refused(
                409,
                target,
                "Cockpit setup on " + target + " " + state + ": "
                        + view.path("summary").asText());
    }

    /** Set by the coordinator: a status line in the conversation while a tool works. */
    interface Progress {
        void say(UUID conversationId, String text);
    }

    private volatile Progress progress;

    void progressWith(Progress progress) {
        this.progress = progress;
    }

    private void progress(Call c, String text) {
        Progress p = progress;
        if (p != null) {
            p.say(c.conversation().id(), text);
        }
    }

    /** Set by the coordinator: relays a worker's answer into the conversation until its turn ends. */
    interface Relay {
        String relay(Call c, UUID sessionId, long afterSeq, String project) throws InterruptedException;
    }

    private volatile Relay relay;

    void relayWith(Relay relay) {
        this.relay = relay;
    }

    private Result sendToWorker(Call c) throws Refusal, InterruptedException {
        JsonNode p = project(c, text(c.args(), "project"));
        Answer live = call(
                c,
                Service.SESSION,
                "GET",
                "/api/sessions/active?project_id=" + q(p.path("id").asText()),
                null);
        if (live.status() == 404) {
            throw new Refusal(409, "project " + p.path("name").asText() + " has no live session; start one first");
        }
        JsonNode session = ok(live, "finding the live session");
        UUID sessionId = uuid(session.path("id").asText(), "session_id");
        ObjectNode message = Conversations.body().put("text", text(c.args(), "text"));
        if (text(c.args(), "target") != null) {
            message.put(
                    "target_id", target(c, name(c.args(), "target")).path("id").asText());
        }
        JsonNode posted = ok(
                call(c, Service.SESSION, "POST", "/api/sessions/" + sessionId + "/messages", message),
                "sending the request");
        String answer = relay == null
                ? "(not relayed)"
                : relay.relay(
                        c,
                        sessionId,
                        posted.path("seq").asLong(),
                        p.path("name").asText());
        return Result.ok(
                p.path("name").asText(),
                "the worker of " + p.path("name").asText() + " answered:\n" + answer,
                card("Worker answered").put("session_id", sessionId.toString()));
    }

    private Result prepareHandoff(Call c) throws Refusal, InterruptedException {
        JsonNode p = project(c, text(c.args(), "project"));
        JsonNode handoff = ok(
                call(
                        c,
                        Service.SESSION,
                        "POST",
                        "/api/handoffs",
                        Conversations.body()
                                .put("project_id", p.path("id").asText())
                                .put("intent", text(c.args(), "intent"))),
                "preparing the handoff");
        String text = "handoff " + handoff.path("id").asText() + " for "
                + p.path("name").asText() + " is " + handoff.path("state").asText("prepared")
                + "; start it from the project's page or with its id";
        return Result.ok(
                p.path("name").asText(),
                text,
                card("Handoff prepared")
                        .put("text", text)
                        .put("handoff_id", handoff.path("id").asText()));
    }

    private Result decideApproval(Call c) throws Refusal, InterruptedException {
        UUID approval = uuid(text(c.args(), "approval_id"), "approval_id");
        String decision = text(c.args(), "decision").toLowerCase(Locale.ROOT);
        if (!decision.equals("approved") && !decision.equals("denied")) {
            throw new Refusal(400, "decision: must be approved or denied");
        }
        // which session asked (a lookup only: the decision goes through the API, which checks who may decide)
        UUID session = pool.preparedQuery("SELECT session_id FROM " + schema + ".approval WHERE id = $1")
                .execute(io.vertx.mutiny.sqlclient.Tuple.of(approval))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getUUID(0))
                .await()
                .atMost(java.time.Duration.ofSeconds(10));
        if (session == null) {
            throw new Refusal(404, "there is no approval " + approval);
        }
        ObjectNode body = Conversations.body().put("decision", decision);
        if (text(c.args(), "reason") != null) {
            body.put("reason", text(c.args(), "reason"));
        }
        JsonNode view = ok(
                call(
                        c,
                        Service.SESSION,
                        "POST",
                        "/api/sessions/" + session + "/approvals/" + approval + "/decision",
                        body),
                "deciding the approval");
        String text = view.path("summary").asText("approval " + approval) + ": "
                + view.path("state").asText(decision);
        return Result.ok(approval.toString(), text, card("Approval decided").put("text", text));
    }

    private Result showAudit(Call c) throws Refusal, InterruptedException {
        String resource;
        String subject;
        if (text(c.args(), "target") != null) {
            JsonNode t = target(c, name(c.args(), "target"));
            resource = t.path("id").asText();
            subject = t.path("name").asText();
        } else if (text(c.args(), "project") != null) {
            JsonNode p = project(c, text(c.args(), "project"));
            resource = p.path("id").asText();
            subject = p.path("name").asText();
        } else {
            throw new Refusal(400, "target: name a target or a project");
        }
        JsonNode page = ok(
                call(c, Service.AUDIT, "GET", "/api/audit/events?limit=10&resource_id=" + q(resource), null),
                "reading the audit log");
        StringBuilder out = new StringBuilder();
        ArrayNode rows = Conversations.body().arrayNode();
        for (JsonNode r : page.path("items")) {
            String line = r.path("time").asText() + " " + r.path("actor").asText() + ": "
                    + r.path("summary").asText(r.path("action").asText());
            out.append(line).append('\n');
            rows.add(line);
        }
        ObjectNode card = card("Audit of " + subject);
        card.set("rows", rows);
        return Result.ok(
                subject,
                rows.isEmpty()
                        ? "no audit records about " + subject
                        : out.toString().strip(),
                card);
    }
}
