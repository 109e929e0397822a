package io.devopsconsole.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Onboards a server from a sentence (or fields), with the same steps and gates as the console: the
 * host key is trusted only after the user compared its fingerprint (typed, or given with
 * {@code --trust-fingerprint} and equal to what the host presented), the install plan is approved by an
 * approver and executed only when confirmed (a production host's name typed). Steps run on the
 * server side; the CLI advances the run and shows each step's outcome. Without a terminal to ask on,
 * it stops at the first decision it was not given and says how to continue.
 */
@Command(
        name = "onboard",
        description = "Onboard a server: devops onboard \"onboard 10.20.1.15 as web-3, user deploy, staging\".")
final class Onboard implements Callable<Integer> {

    static final Set<String> FINAL = Set.of("ready", "failed", "cancelled");

    @Parameters(
            arity = "0..*",
            paramLabel = "SENTENCE",
            description = "the request in words (fields below win over it)")
    List<String> words;

    @Option(names = "--run", description = "continue an existing run instead of starting one")
    String run;

    @Option(names = "--name", description = "inventory name")
    String name;

    @Option(names = "--host")
    String host;

    @Option(names = "--user", description = "login user")
    String user;

    @Option(names = "--port")
    Integer port;

    @Option(names = "--environment", description = "lab, staging or production")
    String environment;

    @Option(names = "--confirm-production", description = "I confirm onboarding a production host")
    boolean production;

    @Option(
            names = "--trust-fingerprint",
            paramLabel = "SHA256:…",
            description = "the fingerprint you compared with the host's own console")
    String fingerprint;

    @Option(names = "--approve-plan", description = "approve the install plan (approvers)")
    boolean approvePlan;

    @Option(names = "--execute", description = "execute the approved install plan")
    boolean execute;

    @Option(names = "--confirm-name", description = "a production host's name, typed to execute its plan")
    String confirmName;

    private Devops.Context c;

    @Override
    public Integer call() {
        c = Devops.context;
        String id = run;
        if (id == null) {
            ObjectNode body = Store.JSON.createObjectNode();
            if (words != null && !words.isEmpty()) {
                body.put("request", String.join(" ", words));
            }
            put(body, "name", name);
            put(body, "host", host);
            put(body, "user", user);
            if (port != null) {
                body.put("port", port);
            }
            put(body, "environment", environment);
            if (production) {
                body.put("confirm_production", true);
            }
            JsonNode created = c.api.post("/api/agent-target-onboarding", body);
            id = created.path("id").asText();
            c.out.println("Onboarding run " + id + " for "
                    + Inert.cell(created.path("target_name").asText()) + " ("
                    + Inert.cell(created.path("username").asText()) + "@"
                    + Inert.cell(created.path("host").asText()) + ":"
                    + created.path("port").asText() + ", "
                    + Inert.cell(created.path("environment").asText()) + ")");
        }
        return drive(id);
    }

    private static void put(ObjectNode body, String field, String value) {
        if (value != null) {
            body.put(field, value);
        }
    }

    private int drive(String id) {
        int shownSteps = 0;
        String lastState = null;
        for (int round = 0; round < 200; round++) {
            JsonNode r = c.api.get("/api/agent-target-onboarding/" + Api.seg(id));
            JsonNode steps = r.path("steps");
            for (int i = shownSteps; i < steps.size(); i++) {
                JsonNode st = steps.get(i);
                c.out.println("  " + Inert.cell(st.path("step").asText()) + ": "
                        + Inert.cell(st.path("outcome").asText())
                        + (st.hasNonNull("detail")
                                ? " — " + Inert.cell(st.path("detail").asText())
                                : ""));
            }
            shownSteps = steps.size();
            String state = r.path("state").asText();
            if (!state.equals(lastState)) {
                c.out.println("state: " + Inert.cell(state)
                        + (r.hasNonNull("waiting_for")
                                ? " (waiting for: "
                                        + Inert.cell(r.path("waiting_for").asText()) + ")"
                                : ""));
                lastState = state;
            }
            if (FINAL.contains(state)) {
                if (state.equals("failed")) {
                    c.out.println("failed: " + Inert.cell(r.path("failure").asText()));
                    return CliException.REFUSED;
                }
                return 0;
            }
            boolean moved = switch (state) {
                case "host_key_pending" -> r.path("presented_host_key").isObject() ? trust(id, r) : advance(id);
                case "install_plan_pending" -> plan(r);
                case "installed_but_auth_required" -> {
                    c.out.println("Codex on " + Inert.cell(r.path("target_name").asText())
                            + " needs its auth: provision an auth slot in the console (Onboarding → this run), then: devops onboard --run "
                            + id);
                    yield false;
                }
                default -> advance(id);
            };
            if (!moved) {
                return 0;
            }
        }
        c.out.println("still going; continue with: devops onboard --run " + id);
        return 0;
    }

    private boolean advance(String id) {
        try {
            c.api.post("/api/agent-target-onboarding/" + Api.seg(id) + "/advance", null);
        } catch (CliException e) {
            if (e.status() != 409) {
                throw e;
            }
            waitABit(); // a step is running (here or from the console): look again
        }
        return true;
    }

    private boolean trust(String id, JsonNode r) {
        JsonNode key = r.path("presented_host_key");
        String presented = key.path("fingerprint_sha256").asText();
        c.out.println("The host presents " + Inert.cell(presented) + " ("
                + Inert.cell(key.path("key_type").asText())
                + "). Compare it with the host's own console before trusting it.");
        String compared = fingerprint;
        if (compared == null) {
            if (System.console() == null && !Boolean.getBoolean("devops.prompts")) {
                c.out.println(
                        "To trust it: devops onboard --run " + id + " --trust-fingerprint " + Inert.cell(presented));
                return false;
            }
            compared = c.ask("Type the fingerprint you compared (SHA256:…): ");
        }
        if (compared == null || !compared.strip().equals(presented)) {
            throw new CliException(
                    CliException.REFUSED,
                    "the fingerprint given is not the one the host presents; nothing was trusted");
        }
        c.api.post(
                "/api/agent-target-onboarding/" + Api.seg(id) + "/host-key/trust",
                Store.JSON.createObjectNode().put("confirm_trust", true).put("fingerprint_sha256", presented));
        c.out.println("Host key trusted.");
        return true;
    }

    private boolean plan(JsonNode r) {
        String planId = r.path("install_plan_id").asText(null);
        if (planId == null) {
            return advance(r.path("id").asText());
        }
        JsonNode plan = c.api.get("/api/install-plans/" + Api.seg(planId));
        String state = plan.path("state").asText();
        boolean prod = plan.path("environment").asText().equals("production");
        if (state.equals("proposed")) {
            c.out.println("Install plan (" + Inert.cell(plan.path("advisory").asText("")) + "):");
            for (JsonNode step : plan.path("steps")) {
                c.out.println("  " + Inert.cell(step.asText()));
            }
            if (!approvePlan) {
                c.out.println("An approver approves it: devops onboard --run "
                        + r.path("id").asText() + " --approve-plan");
                return false;
            }
            ObjectNode body = Store.JSON.createObjectNode();
            if (prod) {
                body.put("confirm_production", true);
            }
            c.api.post("/api/install-plans/" + Api.seg(planId) + "/approve", body);
            c.out.println("Install plan approved.");
            return true;
        }
        if (state.equals("approved")) {
            if (!execute) {
                c.out.println("To run it: devops onboard --run " + r.path("id").asText() + " --execute"
                        + (prod
                                ? " --confirm-name "
                                        + Inert.cell(plan.path("target_name").asText())
                                : ""));
                return false;
            }
            if (prod
                    && (confirmName == null
                            || !confirmName.equals(plan.path("target_name").asText()))) {
                throw new CliException(
                        CliException.REFUSED,
                        "a production host's plan runs only with its name given: --confirm-name NAME");
            }
            ObjectNode body = Store.JSON.createObjectNode().put("confirm_execute", true);
            if (prod) {
                body.put("confirm_production", true);
            }
            c.api.post("/api/install-plans/" + Api.seg(planId) + "/execute", body);
            c.out.println("Install plan executing.");
            return true;
        }
        if (state.equals("rejected")) {
            c.out.println("The install plan was rejected.");
            return false;
        }
        waitABit();
        return true;
    }

    private static void waitABit() {
        try {
            Thread.sleep(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(CliException.REFUSED, "interrupted");
        }
    }
}
