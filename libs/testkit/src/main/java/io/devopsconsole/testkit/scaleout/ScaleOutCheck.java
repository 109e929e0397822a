package io.devopsconsole.testkit.scaleout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.devopsconsole.testkit.SseClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * The scale-out check, run by the browser test ({@code scripts/e2e}) against its stack once the browser is
 * done: two replicas of every service ({@code DEVOPS_REPLICAS=2}) on one PostgreSQL and a Kafka broker that
 * accepts only SASL_SSL with the manifests' per-service users and ACLs ({@code DEVOPS_KAFKA_SECURITY=sasl_ssl}),
 * the real codex binary on the test host behind SSH.
 *
 * <ol>
 *   <li>An approval left undecided while both session-service replicas run expires exactly once (one
 *       decision in the transcript, one {@code approval resolved} audit record).</li>
 *   <li>The journey through the APIs with requests alternating between replicas: project, runtime
 *       profile, session, a turn whose command needs approval, approved; SSE viewers on both
 *       session-service replicas.</li>
 *   <li>While the approved command runs: {@code kill -9} of one replica of every service — the runner
 *       driving the session, the session-service replica storing its records, replica 1 of the rest.
 *       The turn completes; the viewer whose replica died reconnects to the survivor with its last
 *       event id; both saw every transcript record once, in order (lost 0, duplicated 0).</li>
 *   <li>The audit chain verifies on the surviving audit-service.</li>
 *   <li>{@code DEVOPS_REPLICAS=3 scripts/up} restarts the killed replicas and adds a third of each: the
 *       session-service replicas that (re)started read no retained stream record (at most what was
 *       produced after they started), and a viewer on the new replica replays the whole transcript.</li>
 * </ol>
 * {@code java ... ScaleOutCheck <repoRoot> <stateDir> <portOffset> <host.json>}; exits non-zero on any failure.
 */
public final class ScaleOutCheck {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String STREAM_TOPIC = "console.agent.stream.v1";
    private static final String STREAM_GROUP = "session-service-stream";
    private static final int COUNT = 150;
    private static final String APPROVAL_RESOLVED = "io.devopsconsole.session.approval.resolved.v1";
    private static final Map<String, Integer> PORTS = Map.of(
            "console-ui",
            8080,
            "registry-service",
            8081,
            "session-service",
            8082,
            "agent-runner",
            8083,
            "onboarding-service",
            8084,
            "audit-service",
            8085);

    private final Path root;
    private final Path state;
    private final int offset;
    private final JsonNode host;
    private final Map<String, String> secrets;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private String token;
    private long tokenAt;

    private ScaleOutCheck(Path root, Path state, int offset, JsonNode host) throws Exception {
        this.root = root;
        this.state = state;
        this.offset = offset;
        this.host = host;
        this.secrets = new HashMap<>();
        for (String line : Files.readAllLines(state.resolve("secrets.env"))) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                secrets.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
    }

    public static void main(String[] args) throws Exception {
        ScaleOutCheck check = new ScaleOutCheck(
                Path.of(args[0]),
                Path.of(args[1]),
                Integer.parseInt(args[2]),
                JSON.readTree(Path.of(args[3]).toFile()));
        try {
            check.run();
            System.exit(0);
        } catch (Throwable e) {
            System.err.println("scale-out check FAILED: " + e);
            e.printStackTrace();
            System.exit(1);
        }
    }

    // ---- the check -----------------------------------------------------------------------------

    private void run() throws Exception {
        long started = System.nanoTime();
        String target = targetId();
        say("two replicas of every service on SASL_SSL Kafka; target "
                + host.path("user").asText() + "@127.0.0.1:"
                + host.path("ssh_port").asText() + " (" + target + ")");

        // 1. an approval nobody decides expires once, while both session-service replicas sweep
        String quiet = session(project("scale-out-expiry", 1), target, 2, 1);
        try (SseClient viewer = stream(1, quiet, null)) {
            say(quiet, 2, "RUN_ESCALATED: echo never-decided", viewer);
            awaitKind(viewer, "approval_requested", 120);
            String approval = pendingApproval(quiet, 1);
            long sweptAt = System.nanoTime();
            JsonNode expired = poll(
                    "the approval to expire",
                    120,
                    () -> get(url(
                            "session-service",
                            1 + (int) (System.nanoTime() / 1000 % 2),
                            "/api/sessions/" + quiet + "/approvals/" + approval)),
                    a -> a.path("state").asText().equals("expired"));
            int decisions =
                    count(transcript(quiet, 2), e -> e.path("kind").asText().equals("approval_decided"));
            require(decisions == 1, "one approval_decided in the transcript, found " + decisions);
            JsonNode audit = poll(
                    "the expiry in the audit trail",
                    30,
                    () -> auditOf(quiet, 1),
                    page -> count(
                                    page.path("items"),
                                    r -> r.path("type").asText().equals(APPROVAL_RESOLVED))
                            >= 1);
            Thread.sleep(3000); // both replicas' sweeps ran several times since (every 2 s)
            audit = auditOf(quiet, 2);
            int resolved = count(
                    audit.path("items"),
                    r -> r.path("type").asText().equals(APPROVAL_RESOLVED)
                            && r.toString().contains(approval));
            require(
                    resolved == 1,
                    "one approval-resolved audit record for " + approval + ", found " + resolved + ": " + audit);
            say("approval timer: expired once (state " + expired.path("state").asText()
                    + ", 1 decision, 1 audit record) " + String.format("%.1f s", (System.nanoTime() - sweptAt) / 1e9)
                    + " after it was asked");
        }

        // 2. the journey, alternating replicas
        String project = project("scale-out", 2);
        String session = session(project, target, 1, 2);
        SseClient one = stream(1, session, null);
        SseClient two = stream(2, session, null);
        say(session, 2, "RUN_ESCALATED: echo scale-out-ok", two);
        awaitCount(two, "approval_requested", 1, 120);
        String approval = pendingApproval(session, 2);
        post(
                url("session-service", 1, "/api/sessions/" + session + "/approvals/" + approval + "/decision"),
                Map.of("decision", "approved"),
                200);
        awaitCount(one, "turn_completed", 1, 60);
        require(
                transcript(session, 2).stream()
                        .anyMatch(e -> e.path("kind").asText().equals("item_completed")
                                && e.toString().contains("scale-out-ok")),
                "the approved command's output is in the transcript");
        say("turn 1: approval asked on replica 2, decided on replica 1, the command ran and its output was stored");

        // 3. a long streamed turn (the model counts to 120, one delta each); kill -9 one replica of every service in it
        long turnStart = System.nanoTime();
        say(session, 1, "COUNT: " + COUNT, one);
        awaitCount(two, "agent_message_delta", 15 + kinds(two, "agent_message_delta"), 120);
        String runner = poll("the session's worker", 30, () -> JSON.valueToTree(workers(session)), w -> w.size() > 0)
                .get(0)
                .path("runner_instance")
                .asText();
        int storing = storingSessionReplica();
        Map<String, Integer> killed = new LinkedHashMap<>();
        for (String svc : PORTS.keySet().stream().sorted().toList()) {
            int replica = switch (svc) {
                case "agent-runner" -> runner.matches(".*-[0-9]+") ? Integer.parseInt(runner.replaceAll(".*-", "")) : 1;
                case "session-service" -> storing;
                default -> 1;
            };
            kill(svc, replica);
            killed.put(svc, replica);
        }
        long killedAt = System.nanoTime();
        int deltasAtKill = kinds(two, "agent_message_delta") + kinds(one, "agent_message_delta");
        say("killed (kill -9) mid-turn: " + killed + " — the runner driving the session was " + runner
                + ", session-service replica " + storing + " was storing its records");
        int alive = storing == 1 ? 2 : 1;
        SseClient survivor = storing == 1 ? two : one;
        SseClient orphan = storing == 1 ? one : two;
        // the viewer whose replica died reconnects to the survivor from its last event (as a browser does)
        Thread.sleep(200);
        List<SseClient.Event> before = records(orphan);
        String last = before.isEmpty() ? null : before.get(before.size() - 1).id();
        orphan.close();
        try (SseClient resumed = stream(alive, session, last)) {
            awaitCount(survivor, "turn_completed", 2, 180);
            double completion = (System.nanoTime() - turnStart) / 1e9;
            double afterKill = (System.nanoTime() - killedAt) / 1e9;
            List<JsonNode> stored = transcript(session, alive);
            long lastSeq = stored.get(stored.size() - 1).path("seq").asLong();
            poll(
                    "the reconnected viewer to catch up",
                    30,
                    () -> JSON.createObjectNode(),
                    x -> !records(resumed).isEmpty()
                            && Long.parseLong(records(resumed)
                                            .get(records(resumed).size() - 1)
                                            .id())
                                    >= lastSeq);
            Thread.sleep(1000);
            stored = transcript(session, alive);
            long from = Long.parseLong(records(survivor).get(0).id());
            int[] survivorFigures = compare("viewer on the surviving replica", records(survivor), stored, from);
            List<SseClient.Event> stitched = new ArrayList<>(before);
            stitched.addAll(records(resumed));
            int[] orphanFigures = compare("viewer that reconnected", stitched, stored, from);
            // what the model said, as stored: each of 1..COUNT once, or a stream_gap note saying what was missed
            List<Integer> counted = new ArrayList<>();
            boolean secondTurn = false;
            int gaps = 0;
            for (JsonNode e : stored) {
                String kind = e.path("kind").asText();
                secondTurn |= kind.equals("operator_message") && e.toString().contains("COUNT: ");
                if (secondTurn && kind.equals("agent_message_delta")) {
                    for (String n : e.path("body").path("delta").asText().split("\\s+")) {
                        if (n.matches("[0-9]+")) {
                            counted.add(Integer.parseInt(n));
                        }
                    }
                }
                gaps += secondTurn && kind.equals("stream_gap") ? 1 : 0;
            }
            String finalText = stored.stream()
                    .filter(e -> e.path("kind").asText().equals("item_completed")
                            && e.path("body").path("item_type").asText().equals("agent_message"))
                    .reduce((a, b) -> b)
                    .map(e -> e.path("body").path("text").asText())
                    .orElse("");
            StringBuilder expectedText = new StringBuilder("1");
            for (int i = 2; i <= COUNT; i++) {
                expectedText.append(' ').append(i);
            }
            require(
                    finalText.strip().equals(expectedText.toString()),
                    "the answer's final text is complete: " + finalText);
            Set<Integer> distinct = new TreeSet<>(counted);
            require(distinct.size() == counted.size(), "no delta stored twice: " + counted);
            int missing = COUNT - distinct.size();
            require(
                    missing == 0 || gaps > 0,
                    missing + " of the model's " + COUNT + " deltas are missing and no stream_gap says so");
            say(String.format(
                    "turn 2 (%d deltas, %d seen before the kill) completed %.1f s after it began, %.1f s after the kill;"
                            + " %d of %d deltas stored once each (%d missing, %d stream_gap notes); %d transcript records;"
                            + " surviving viewer lost %d, duplicated %d; reconnected viewer lost %d, duplicated %d",
                    COUNT,
                    deltasAtKill / 2,
                    completion,
                    afterKill,
                    distinct.size(),
                    COUNT,
                    missing,
                    gaps,
                    stored.size(),
                    survivorFigures[0],
                    survivorFigures[1],
                    orphanFigures[0],
                    orphanFigures[1]));
        } finally {
            survivor.close();
        }

        // 4. one chain, verified on the surviving audit-service
        JsonNode verified = poll(
                "the audit chain to verify",
                30,
                () -> get(url("audit-service", 2, "/api/audit/verify")),
                v -> v.path("intact").asBoolean(false));
        require(verified.path("broken_link_count").asInt(-1) == 0, "no broken audit link: " + verified);
        say("audit chain verifies: " + verified.path("verified_records").asText() + " records, 0 broken links");

        // 5. replicas that restart or join later start at the group's committed offsets
        Map<TopicPartition, Long> endBefore = endOffsets();
        long committedBefore =
                committed(); // where the group stands: a (re)started replica starts here, not at the retained start
        long retained = endBefore.values().stream().mapToLong(Long::longValue).sum() - beginningOffsets();
        scale(3);
        poll(
                "three members in " + STREAM_GROUP,
                60,
                () -> JSON.createObjectNode().put("members", groupMembers()),
                g -> g.path("members").asInt() == 3);
        Thread.sleep(3000);
        long produced =
                endOffsets().values().stream().mapToLong(Long::longValue).sum()
                        - endBefore.values().stream().mapToLong(Long::longValue).sum();
        Map<String, Long> consumed = new LinkedHashMap<>();
        consumed.put("session-service-" + storing + " (restarted)", consumedBy(storing));
        consumed.put("session-service-3 (added)", consumedBy(3));
        long total = consumed.values().stream().mapToLong(Long::longValue).sum();
        // each reads at most what lay beyond the group's committed offsets — never the retained topic. Records
        // consumed but not yet committed when the group rebalances are delivered again (at least once), possibly
        // to the other new member, so the two together may count one record twice: the bound is per replica.
        long beyondCommitted =
                endOffsets().values().stream().mapToLong(Long::longValue).sum() - committedBefore;
        require(
                consumed.values().stream().allMatch(n -> n <= beyondCommitted) && total < retained,
                "the (re)started replicas read " + consumed + " records but only " + beyondCommitted
                        + " lay beyond the group's committed offsets (" + produced
                        + " produced after they started; the topic retains "
                        + retained + ")");
        try (SseClient late = stream(3, session, null)) {
            List<JsonNode> stored = transcript(session, 3);
            long lastSeq = stored.get(stored.size() - 1).path("seq").asLong();
            poll(
                    "the new replica's replay",
                    30,
                    () -> JSON.createObjectNode().put("n", records(late).size()),
                    n -> !records(late).isEmpty()
                            && Long.parseLong(records(late)
                                            .get(records(late).size() - 1)
                                            .id())
                                    >= lastSeq);
            int[] lateFigures = compare("viewer on the added replica", records(late), stored, 1);
            say("added and restarted session-service replicas read " + consumed + " stream records of " + retained
                    + " retained (" + produced + " produced since they started, " + beyondCommitted
                    + " beyond the group's committed offsets); a viewer on the added replica replayed "
                    + stored.size() + " records, lost " + lateFigures[0] + ", duplicated " + lateFigures[1]);
        }
        say(String.format("scale-out check passed in %.0f s", (System.nanoTime() - started) / 1e9));
    }

    /** Compares what a viewer saw (transcript records from seq {@code from} on) with storage: {lost, duplicated}. */
    private static int[] compare(String who, List<SseClient.Event> seen, List<JsonNode> stored, long from) {
        List<Long> ids = seen.stream().map(e -> Long.parseLong(e.id())).toList();
        Set<Long> unique = new TreeSet<>(ids);
        int duplicated = ids.size() - unique.size();
        for (int i = 1; i < ids.size(); i++) {
            require(ids.get(i) > ids.get(i - 1) || duplicated > 0, who + ": out of order at " + ids.get(i));
        }
        Set<Long> expected = new TreeSet<>();
        stored.stream().map(e -> e.path("seq").asLong()).filter(s -> s >= from).forEach(expected::add);
        Set<Long> lost = new TreeSet<>(expected);
        lost.removeAll(unique);
        require(
                lost.isEmpty() && duplicated == 0,
                who + ": lost " + lost + ", duplicated " + duplicated + " of " + expected.size());
        return new int[] {lost.size(), duplicated};
    }

    // ---- inventory through the APIs ------------------------------------------------------------

    private String targetId() throws Exception {
        JsonNode page = get(url("registry-service", 1, "/api/ssh-targets?size=500"));
        for (JsonNode t : page.path("items")) {
            if (t.path("port").asInt() == host.path("ssh_port").asInt()
                    && t.path("name").asText().equals("lab-codex-1")) {
                return t.path("id").asText();
            }
        }
        throw new IllegalStateException("the browser test's target lab-codex-1 is not registered: " + page);
    }

    private String project(String slug, int registry) throws Exception {
        slug = slug + "-" + Long.toString(System.nanoTime() % 46656, 36);
        return post(
                        url("registry-service", registry, "/api/projects"),
                        Map.of(
                                "slug",
                                slug,
                                "name",
                                "Scale-out " + slug,
                                "default_working_directory",
                                host.path("work_dir").asText()),
                        201)
                .path("id")
                .asText();
    }

    /** A runtime profile (on registry replica {@code registry}) and a session (on session replica {@code sessions}). */
    private String session(String project, String target, int registry, int sessions) throws Exception {
        ObjectNode profile = JSON.createObjectNode().put("project_id", project);
        profile.putArray("bindings")
                .addObject()
                .put("target_id", target)
                .put("role", "primary")
                .put("working_directory", host.path("work_dir").asText());
        profile.putObject("codex").put("approval_policy", "on-request");
        post(url("registry-service", registry, "/api/runtime-profiles"), profile, 201);
        // the session-service replica learns of the project from Kafka: a moment after it was created
        return poll(
                        "a session for " + project,
                        30,
                        () -> {
                            HttpResponse<String> r = send(HttpRequest.newBuilder(
                                            URI.create(url("session-service", sessions, "/api/sessions")))
                                    .POST(HttpRequest.BodyPublishers.ofString(
                                            JSON.writeValueAsString(Map.of("project_id", project))))
                                    .header("Content-Type", "application/json"));
                            return r.statusCode() == 201
                                    ? JSON.readTree(r.body())
                                    : JSON.createObjectNode().put("status", r.statusCode());
                        },
                        s -> s.has("id"))
                .path("id")
                .asText();
    }

    /**
     * Posts an operator message and waits for its turn to start. The runners learn of a new runtime
     * profile from Kafka a moment after it was created: a first message that reaches a runner before
     * that is refused (turn_failed, "no runtime profile") and is sent again.
     */
    private void say(String session, int replica, String text, SseClient viewer) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            int started = kinds(viewer, "turn_started");
            int failed = kinds(viewer, "turn_failed");
            post(url("session-service", replica, "/api/sessions/" + session + "/messages"), Map.of("text", text), 201);
            while (kinds(viewer, "turn_started") == started && kinds(viewer, "turn_failed") == failed) {
                require(System.nanoTime() < deadline, "the turn of \"" + text + "\" did not start within 60 s");
                Thread.sleep(20);
            }
            if (kinds(viewer, "turn_started") > started) {
                return;
            }
            require(
                    records(viewer).stream().anyMatch(e -> e.data().contains("no runtime profile")),
                    "the turn of \"" + text + "\" failed: "
                            + records(viewer).get(records(viewer).size() - 1).data());
            Thread.sleep(500);
        }
    }

    private String pendingApproval(String session, int replica) throws Exception {
        return poll(
                        "the pending approval of " + session,
                        30,
                        () -> get(url("session-service", replica, "/api/sessions/" + session + "/approvals")),
                        p -> count(
                                        p.path("items"),
                                        a -> a.path("state").asText().equals("pending"))
                                == 1)
                .path("items")
                .get(0)
                .path("id")
                .asText();
    }

    private List<JsonNode> workers(String session) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (int r = 1; r <= 2; r++) {
            try {
                get(url("agent-runner", r, "/api/workers?session_id=" + session))
                        .path("items")
                        .forEach(w -> {
                            if (!w.path("state").asText().equals("stopped")) {
                                out.add(w);
                            }
                        });
            } catch (Exception unreachable) {
                // that replica may be the one killed already
            }
        }
        return out;
    }

    private List<JsonNode> transcript(String session, int replica) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        long after = 0;
        while (true) {
            JsonNode page = get(
                    url("session-service", replica, "/api/sessions/" + session + "/events?limit=1000&after=" + after));
            page.path("items").forEach(out::add);
            if (page.path("next_after").isNull() || page.path("next_after").isMissingNode()) {
                return out;
            }
            after = page.path("next_after").asLong();
        }
    }

    private JsonNode auditOf(String session, int replica) throws Exception {
        return get(url("audit-service", replica, "/api/audit/events?limit=500&session_id=" + session));
    }

    // ---- replicas ------------------------------------------------------------------------------

    private String url(String service, int replica, String path) {
        return "http://127.0.0.1:" + (PORTS.get(service) + offset + 100 * (replica - 1)) + path;
    }

    private static String name(String service, int replica) {
        return replica == 1 ? service : service + "-" + replica;
    }

    private void kill(String service, int replica) throws Exception {
        long pid = Long.parseLong(Files.readString(state.resolve("run").resolve(name(service, replica) + ".pid"))
                .strip());
        ProcessHandle p = ProcessHandle.of(pid)
                .orElseThrow(() -> new IllegalStateException(name(service, replica) + " is not running"));
        require(p.destroyForcibly(), "kill -9 " + pid); // SIGKILL: no shutdown hook, no orderly leave of the group
        p.onExit().get(30, TimeUnit.SECONDS);
    }

    /** The session-service replica whose consumer stored the turn's records so far (its counter moved). */
    private int storingSessionReplica() throws Exception {
        long one = consumedBy(1);
        long two = consumedBy(2);
        Thread.sleep(1200);
        long oneNow = consumedBy(1);
        long twoNow = consumedBy(2);
        if (oneNow - one != twoNow - two) {
            return oneNow - one > twoNow - two ? 1 : 2;
        }
        return oneNow >= twoNow ? 1 : 2;
    }

    private long consumedBy(int replica) throws Exception {
        String metrics = send(HttpRequest.newBuilder(URI.create(url("session-service", replica, "/q/metrics")))
                        .GET())
                .body();
        Matcher m = Pattern.compile("(?m)^session_stream_records_consumed_total(?:\\{[^}]*})? ([0-9.E+]+)")
                .matcher(metrics);
        require(m.find(), "session_stream_records_consumed_total on session-service replica " + replica);
        return (long) Double.parseDouble(m.group(1));
    }

    private void scale(int replicas) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(
                        "bash", root.resolve("scripts/up").toString())
                .directory(root.toFile())
                .redirectErrorStream(true)
                .redirectOutput(state.resolve("logs").resolve("scale-up.log").toFile());
        pb.environment().put("DEVOPS_REPLICAS", Integer.toString(replicas));
        long t = System.nanoTime();
        Process p = pb.start();
        require(
                p.waitFor(300, TimeUnit.SECONDS) && p.exitValue() == 0,
                "DEVOPS_REPLICAS=" + replicas + " scripts/up (see logs/scale-up.log)");
        say(String.format(
                "DEVOPS_REPLICAS=%d scripts/up: killed replicas restarted and a third of each added in %.0f s",
                replicas, (System.nanoTime() - t) / 1e9));
    }

    // ---- Kafka (as the broker's super user) ----------------------------------------------------

    private Admin admin() {
        Properties p = new Properties();
        p.put("bootstrap.servers", "127.0.0.1:" + (19092 + offset));
        p.put("security.protocol", "SASL_SSL");
        p.put("sasl.mechanism", "SCRAM-SHA-512");
        p.put(
                "sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"admin\" password=\""
                        + secrets.get("KAFKA_ADMIN_PASSWORD") + "\";");
        p.put("ssl.truststore.type", "PEM");
        p.put("ssl.truststore.location", state.resolve("kafka-secured/ca.pem").toString());
        return Admin.create(p);
    }

    private Map<TopicPartition, Long> endOffsets() throws Exception {
        return offsets(OffsetSpec.latest());
    }

    private long beginningOffsets() throws Exception {
        return offsets(OffsetSpec.earliest()).values().stream()
                .mapToLong(Long::longValue)
                .sum();
    }

    private Map<TopicPartition, Long> offsets(OffsetSpec spec) throws Exception {
        try (Admin admin = admin()) {
            int partitions = admin.describeTopics(List.of(STREAM_TOPIC))
                    .allTopicNames()
                    .get(30, TimeUnit.SECONDS)
                    .get(STREAM_TOPIC)
                    .partitions()
                    .size();
            Map<TopicPartition, OffsetSpec> ask = new HashMap<>();
            for (int i = 0; i < partitions; i++) {
                ask.put(new TopicPartition(STREAM_TOPIC, i), spec);
            }
            Map<TopicPartition, Long> out = new HashMap<>();
            admin.listOffsets(ask).all().get(30, TimeUnit.SECONDS).forEach((tp, info) -> out.put(tp, info.offset()));
            return out;
        }
    }

    /** The sum of the stream group's committed offsets (its starting offsets for any member that joins now). */
    private long committed() throws Exception {
        try (Admin admin = admin()) {
            return admin
                    .listConsumerGroupOffsets(STREAM_GROUP)
                    .partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS)
                    .values()
                    .stream()
                    .filter(java.util.Objects::nonNull)
                    .mapToLong(o -> o.offset())
                    .sum();
        }
    }

    private int groupMembers() throws Exception {
        try (Admin admin = admin()) {
            ConsumerGroupDescription g = admin.describeConsumerGroups(List.of(STREAM_GROUP))
                    .all()
                    .get(30, TimeUnit.SECONDS)
                    .get(STREAM_GROUP);
            return g.members().size();
        }
    }

    // ---- HTTP ----------------------------------------------------------------------------------

    private String token() throws Exception {
        if (token == null || System.nanoTime() - tokenAt > TimeUnit.SECONDS.toNanos(60)) {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + (18080 + offset)
                                    + "/realms/devops-console/protocol/openid-connect/token"))
                            .header("Content-Type", "application/x-www-form-urlencoded")
                            .POST(HttpRequest.BodyPublishers.ofString(
                                    "grant_type=client_credentials&client_id=devops-automation&client_secret="
                                            + secrets.get("AUTOMATION_CLIENT_SECRET")))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            require(r.statusCode() == 200, "token: " + r.statusCode() + " " + r.body());
            token = JSON.readTree(r.body()).path("access_token").asText();
            tokenAt = System.nanoTime();
        }
        return token;
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(
                request.header("Authorization", "Bearer " + token())
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode get(String url) throws Exception {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(url)).GET());
        require(r.statusCode() == 200, "GET " + url + " answered " + r.statusCode() + ": " + r.body());
        return JSON.readTree(r.body());
    }

    private JsonNode post(String url, Object body, int expected) throws Exception {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
        require(
                r.statusCode() == expected,
                "POST " + url + " answered " + r.statusCode() + " (expected " + expected + "): " + r.body());
        return r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
    }

    private SseClient stream(int replica, String session, String lastEventId) throws Exception {
        return SseClient.open(
                URI.create(url("session-service", replica, "/api/sessions/" + session + "/stream")),
                token(),
                lastEventId);
    }

    /** The transcript records a viewer received (events with an id), in arrival order. */
    private static List<SseClient.Event> records(SseClient sse) {
        return sse.events().stream().filter(e -> e.id() != null).toList();
    }

    private static int kinds(SseClient sse, String kind) {
        int n = 0;
        for (SseClient.Event e : records(sse)) {
            if (e.data().contains("\"kind\":\"" + kind + "\"")) {
                n++;
            }
        }
        return n;
    }

    /** Waits until the viewer has received {@code count} records of {@code kind}. */
    private static void awaitCount(SseClient sse, String kind, int count, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (kinds(sse, kind) >= count) {
                return;
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException(
                count + " " + kind + " expected on the stream within " + seconds + " s, saw " + kinds(sse, kind));
    }

    private static JsonNode awaitKind(SseClient sse, String kind, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            for (SseClient.Event e : records(sse)) {
                JsonNode record = JSON.readTree(e.data());
                if (record.path("kind").asText().equals(kind)) {
                    return record;
                }
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("no " + kind + " on the stream within " + seconds + " s; kinds seen: "
                + records(sse).stream()
                        .map(e -> {
                            try {
                                return JSON.readTree(e.data()).path("kind").asText();
                            } catch (Exception x) {
                                return "?";
                            }
                        })
                        .toList());
    }

    private interface Read {
        JsonNode get() throws Exception;
    }

    private static JsonNode poll(String what, int seconds, Read read, Predicate<JsonNode> done) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        JsonNode last = null;
        Exception failure = null;
        while (System.nanoTime() < deadline) {
            try {
                last = read.get();
                if (done.test(last)) {
                    return last;
                }
            } catch (Exception e) {
                failure = e;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("waited " + seconds + " s for " + what + "; last: " + last
                + (failure == null ? "" : "; last failure: " + failure));
    }

    private static int count(Iterable<JsonNode> nodes, Predicate<JsonNode> match) {
        int n = 0;
        for (JsonNode node : nodes) {
            if (match.test(node)) {
                n++;
            }
        }
        return n;
    }

    private static void require(boolean condition, String what) {
        if (!condition) {
            throw new IllegalStateException(what);
        }
    }

    private static void say(String line) {
        System.out.println("scale-out: " + line);
    }
}
