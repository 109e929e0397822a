package io.devopsconsole.deploy;

import static io.devopsconsole.deploy.Rendered.name;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * deploy/k8s without a cluster: every overlay renders, parses strictly into the Kubernetes and
 * Strimzi models or validates against the operators' CRD schemas, and agrees with itself and with
 * the services' own configuration (selectors, references, topics, ACLs, network flows, settings).
 */
class ManifestsTest {

    static final List<String> BACKENDS =
            List.of("registry-service", "session-service", "agent-runner", "onboarding-service", "audit-service");
    static final List<String> SERVICES = List.of(
            "registry-service", "session-service", "agent-runner", "onboarding-service", "audit-service", "console-ui");

    /** What each service publishes (outbox relays by event type, the runner's own producers): docs/architecture.md. */
    static final Map<String, Set<String>> PUBLISHES = Map.of(
            "registry-service", Set.of("console.registry.v1"),
            "session-service", Set.of("console.session.v1", "console.agent.commands.v1", "console.session.logs.v1"),
            "agent-runner",
                    Set.of(
                            "console.agent.v1",
                            "console.agent.stream.v1",
                            "console.agent.presence.v1",
                            "console.session.logs.v1"),
            "onboarding-service", Set.of("console.onboarding.v1"),
            "audit-service", Set.of("console.audit.v1"));

    static List<String> overlays() {
        return Rendered.overlays();
    }

    @Test
    void everyOverlayRendersAndSaysWhatItHolds() {
        for (String overlay : overlays()) {
            Map<String, Integer> kinds = new TreeMap<>();
            Rendered.objects(overlay).forEach(o -> kinds.merge(o.path("kind").asText(), 1, Integer::sum));
            System.out.printf(
                    "deploy/k8s/overlays/%s: %d objects %s%n",
                    overlay, Rendered.objects(overlay).size(), kinds);
            assertThat(kinds)
                    .containsKeys(
                            "Deployment",
                            "Service",
                            "ServiceAccount",
                            "ConfigMap",
                            "PodDisruptionBudget",
                            "Kafka",
                            "KafkaNodePool",
                            "KafkaTopic",
                            "KafkaUser",
                            "Cluster",
                            "Keycloak",
                            "KeycloakRealmImport",
                            "NetworkPolicy",
                            "Ingress",
                            "ServiceMonitor",
                            "PrometheusRule");
            assertThat(kinds.get("Deployment")).isEqualTo(6);
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void everyObjectParsesStrictlyIntoItsModelOrMatchesItsOperatorsSchema(String overlay) {
        List<String> findings = new ArrayList<>();
        for (JsonNode o : Rendered.objects(overlay)) {
            String id = o.path("kind").asText() + "/" + name(o);
            var model = StrictModel.modelOf(o);
            var schema = CrdSchemas.schemaOf(o);
            if (model.isPresent()) {
                StrictModel.unknownFields(o, model.get()).forEach(f -> findings.add(id + ": " + f));
            } else if (schema.isPresent()) {
                CrdSchemas.violations(o, schema.get()).forEach(f -> findings.add(id + ": " + f));
            } else {
                findings.add(id + ": no model and no schema to check "
                        + o.path("apiVersion").asText() + " against");
            }
        }
        assertThat(findings).isEmpty();
    }

    /** The checker itself: a misspelt field is found, by the model and by the schema. */
    @Test
    void aMisspeltFieldIsFound() {
        JsonNode deployment = Rendered.find("dev", "Deployment", "registry-service")
                .orElseThrow()
                .deepCopy();
        ((ObjectNode) deployment
                        .path("spec")
                        .path("template")
                        .path("spec")
                        .path("containers")
                        .get(0))
                .put("imagePullPolicyy", "x");
        assertThat(StrictModel.unknownFields(
                        deployment, StrictModel.modelOf(deployment).orElseThrow()))
                .anySatisfy(f -> assertThat(f).contains("imagePullPolicyy"));
        JsonNode topic = Rendered.find("dev", "KafkaTopic", "console-registry-v1")
                .orElseThrow()
                .deepCopy();
        ((ObjectNode) topic.path("spec")).put("partition", 3);
        assertThat(StrictModel.unknownFields(topic, StrictModel.modelOf(topic).orElseThrow()))
                .anySatisfy(f -> assertThat(f).contains("partition"));
        JsonNode cluster =
                Rendered.find("dev", "Cluster", "devops-db").orElseThrow().deepCopy();
        ((ObjectNode) cluster.path("spec")).put("instance", 2);
        ((ObjectNode) cluster.path("spec").path("storage")).put("size", 20);
        assertThat(CrdSchemas.violations(cluster, CrdSchemas.schemaOf(cluster).orElseThrow()))
                .anySatisfy(f -> assertThat(f).contains("spec.instance"))
                .anySatisfy(f -> assertThat(f).contains("spec.storage.size"));
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void everyServiceSelectsADeploymentsPodsOnANamedPort(String overlay) {
        for (JsonNode service : Rendered.ofKind(overlay, "Service").toList()) {
            JsonNode selector = service.path("spec").path("selector");
            List<JsonNode> pods = Rendered.ofKind(overlay, "Deployment")
                    .map(d -> d.path("spec").path("template"))
                    .filter(t -> matches(selector, t.path("metadata").path("labels")))
                    .toList();
            assertThat(pods)
                    .as("Service " + name(service) + " selects one Deployment's pods")
                    .hasSize(1);
            Set<String> ports = new HashSet<>();
            pods.get(0)
                    .path("spec")
                    .path("containers")
                    .forEach(c -> c.path("ports")
                            .forEach(p -> ports.add(p.path("name").asText())));
            service.path("spec")
                    .path("ports")
                    .forEach(p -> assertThat(ports)
                            .as("Service " + name(service) + " target port")
                            .contains(p.path("targetPort").asText()));
        }
        for (JsonNode d : Rendered.ofKind(overlay, "Deployment").toList()) {
            assertThat(matches(
                            d.path("spec").path("selector").path("matchLabels"),
                            d.path("spec").path("template").path("metadata").path("labels")))
                    .as(name(d) + " selects its own pods")
                    .isTrue();
            assertThat(Rendered.find(
                            overlay,
                            "ServiceAccount",
                            d.path("spec")
                                    .path("template")
                                    .path("spec")
                                    .path("serviceAccountName")
                                    .asText()))
                    .as(name(d) + "'s service account")
                    .isPresent();
            assertThat(Rendered.ofKind(overlay, "PodDisruptionBudget")
                            .filter(p -> matches(
                                    p.path("spec").path("selector").path("matchLabels"),
                                    d.path("spec")
                                            .path("template")
                                            .path("metadata")
                                            .path("labels"))))
                    .as(name(d) + "'s PDB")
                    .hasSize(1);
        }
    }

    /** Every Secret, ConfigMap and key a workload names exists in the overlay or is listed as provided (by an operator or by you). */
    @ParameterizedTest
    @MethodSource("overlays")
    void everyReferenceNamesSomethingThatWillExist(String overlay) {
        JsonNode provided = Rendered.provided(overlay).path("secrets");
        List<String> missing = new ArrayList<>();
        for (JsonNode d : Rendered.ofKind(overlay, "Deployment").toList()) {
            JsonNode pod = d.path("spec").path("template").path("spec");
            for (JsonNode c : pod.path("containers")) {
                for (JsonNode env : c.path("env")) {
                    JsonNode s = env.path("valueFrom").path("secretKeyRef");
                    if (!s.isMissingNode()) {
                        secretKey(
                                overlay,
                                provided,
                                s.path("name").asText(),
                                s.path("key").asText(),
                                name(d),
                                missing);
                    }
                    JsonNode m = env.path("valueFrom").path("configMapKeyRef");
                    if (!m.isMissingNode()
                            && Rendered.find(
                                            overlay, "ConfigMap", m.path("name").asText())
                                    .map(cm ->
                                            !cm.path("data").has(m.path("key").asText()))
                                    .orElse(true)) {
                        missing.add(name(d) + " -> configmap " + m.path("name").asText() + "/"
                                + m.path("key").asText());
                    }
                }
                for (JsonNode from : c.path("envFrom")) {
                    String cm = from.path("configMapRef").path("name").asText(null);
                    if (cm != null && Rendered.find(overlay, "ConfigMap", cm).isEmpty()) {
                        missing.add(name(d) + " -> configmap " + cm);
                    }
                }
            }
            for (JsonNode v : pod.path("volumes")) {
                JsonNode s = v.path("secret");
                if (!s.isMissingNode()) {
                    if (s.path("items").isEmpty()) {
                        secretKey(overlay, provided, s.path("secretName").asText(), null, name(d), missing);
                    }
                    s.path("items")
                            .forEach(i -> secretKey(
                                    overlay,
                                    provided,
                                    s.path("secretName").asText(),
                                    i.path("key").asText(),
                                    name(d),
                                    missing));
                }
            }
        }
        // the operators' resources name Secrets too
        Rendered.ofKind(overlay, "Cluster").forEach(c -> {
            secretKey(
                    overlay,
                    provided,
                    c.at("/spec/bootstrap/initdb/secret/name").asText(),
                    "password",
                    "Cluster",
                    missing);
            c.at("/spec/managed/roles")
                    .forEach(r -> secretKey(
                            overlay,
                            provided,
                            r.at("/passwordSecret/name").asText(),
                            "password",
                            "Cluster role " + r.path("name").asText(),
                            missing));
        });
        Rendered.ofKind(overlay, "Keycloak").forEach(k -> {
            secretKey(
                    overlay,
                    provided,
                    k.at("/spec/db/usernameSecret/name").asText(),
                    k.at("/spec/db/usernameSecret/key").asText(),
                    "Keycloak",
                    missing);
            secretKey(
                    overlay,
                    provided,
                    k.at("/spec/db/passwordSecret/name").asText(),
                    k.at("/spec/db/passwordSecret/key").asText(),
                    "Keycloak",
                    missing);
            secretKey(overlay, provided, k.at("/spec/http/tlsSecret").asText(), "tls.crt", "Keycloak", missing);
        });
        Rendered.ofKind(overlay, "KeycloakRealmImport")
                .forEach(r -> r.at("/spec/placeholders")
                        .forEach(p -> secretKey(
                                overlay,
                                provided,
                                p.at("/secret/name").asText(),
                                p.at("/secret/key").asText(),
                                "realm import",
                                missing)));
        Rendered.ofKind(overlay, "Ingress")
                .forEach(i -> i.at("/spec/tls")
                        .forEach(t -> secretKey(
                                overlay, provided, t.path("secretName").asText(), "tls.crt", "Ingress", missing)));
        assertThat(missing).isEmpty();
    }

    private static void secretKey(
            String overlay, JsonNode provided, String secret, String key, String user, List<String> missing) {
        var defined = Rendered.find(overlay, "Secret", secret);
        if (defined.isPresent()) {
            JsonNode data = defined.get().path("data");
            if (key != null
                    && !data.has(key)
                    && !defined.get().path("stringData").has(key)) {
                missing.add(user + " -> secret " + secret + " has no key " + key);
            }
            return;
        }
        JsonNode listed = provided.path(secret);
        if (listed.isMissingNode()) {
            missing.add(user + " -> secret " + secret + " (neither in the overlay nor in provided.yaml)");
            return;
        }
        if (key != null) {
            boolean has = false;
            for (JsonNode k : listed.path("keys")) {
                has |= k.asText().equals(key);
            }
            if (!has) {
                missing.add(user + " -> secret " + secret + " key " + key + " (provided.yaml lists "
                        + listed.path("keys") + ")");
            }
        }
    }

    /** Every topic a service's configuration names, and every topic of the event contracts, has a KafkaTopic. */
    @ParameterizedTest
    @MethodSource("overlays")
    void everyTopicHasAKafkaTopic(String overlay) throws IOException {
        Set<String> declared = new TreeSet<>();
        Rendered.ofKind(overlay, "KafkaTopic")
                .forEach(t -> declared.add(t.at("/spec/topicName").asText()));
        Set<String> used = new TreeSet<>();
        for (String service : BACKENDS) {
            incoming(service).forEach(c -> used.add(c.topic()));
        }
        PUBLISHES.values().forEach(used::addAll);
        used.addAll(contractTopics());
        assertThat(declared).containsAll(used);
        assertThat(used).containsAll(declared);
    }

    /**
     * Each service's KafkaUser may do exactly what the service does: write what it publishes and
     * the dead-letter topic, read (and join the groups of) what its configuration consumes — no
     * other topic, no other group.
     */
    @ParameterizedTest
    @MethodSource("overlays")
    void everyKafkaUsersAclsAreExactlyItsServicesTopicsAndGroups(String overlay) throws IOException {
        for (String service : BACKENDS) {
            JsonNode user = Rendered.find(overlay, "KafkaUser", service)
                    .orElseThrow(() -> new AssertionError("no KafkaUser " + service));
            assertThat(user.at("/spec/authentication/type").asText()).isEqualTo("scram-sha-512");
            Set<String> granted = new TreeSet<>();
            for (JsonNode acl : user.at("/spec/authorization/acls")) {
                JsonNode r = acl.path("resource");
                for (JsonNode op : acl.path("operations")) {
                    granted.add(r.path("type").asText() + ":" + r.path("name").asText() + ":"
                            + r.path("patternType").asText("literal") + ":" + op.asText());
                }
            }
            Set<String> expected = new TreeSet<>();
            for (String t : PUBLISHES.get(service)) {
                expected.add("topic:" + t + ":literal:Write");
                expected.add("topic:" + t + ":literal:Describe");
            }
            expected.add("topic:console.deadletter.v1:literal:Write");
            expected.add("topic:console.deadletter.v1:literal:Describe");
            for (Incoming in : incoming(service)) {
                expected.add("topic:" + in.topic() + ":literal:Read");
                expected.add("topic:" + in.topic() + ":literal:Describe");
                expected.add("group:" + in.group() + ":" + (in.prefix() ? "prefix" : "literal") + ":Read");
            }
            assertThat(granted).as("ACLs of " + service).isEqualTo(expected);
        }
        assertThat(Rendered.ofKind(overlay, "KafkaUser").map(Rendered::name))
                .containsExactlyInAnyOrderElementsOf(BACKENDS);
    }

    /** A consumer channel of a service: its topic and group (a group id with ${...} in it is matched as a prefix). */
    record Incoming(String topic, String group, boolean prefix) {}

    static List<Incoming> incoming(String service) throws IOException {
        Properties p = new Properties();
        try (var in = Files.newInputStream(
                Rendered.ROOT.resolve(service).resolve("src/main/resources/application.properties"))) {
            p.load(in);
        }
        List<Incoming> out = new ArrayList<>();
        for (String key : p.stringPropertyNames()) {
            Matcher m = Pattern.compile("mp\\.messaging\\.incoming\\.([a-z0-9-]+)\\.topic")
                    .matcher(key);
            if (m.matches()) {
                String group = p.getProperty("mp.messaging.incoming." + m.group(1) + ".group.id");
                int var = group.indexOf("${");
                out.add(new Incoming(p.getProperty(key), var < 0 ? group : group.substring(0, var), var >= 0));
            }
        }
        return out;
    }

    static Set<String> contractTopics() throws IOException {
        String source = Files.readString(
                Rendered.ROOT.resolve("libs/event-contracts/src/main/java/io/devopsconsole/events/Topics.java"));
        Set<String> out = new TreeSet<>();
        Matcher m = Pattern.compile("= \"(console\\.[a-z.]+\\.v[0-9]+)\"").matcher(source);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** The flows of the architecture are open; flows that must stay closed are not. */
    @ParameterizedTest
    @MethodSource("overlays")
    void theNetworkPoliciesOpenExactlyTheArchitecturesFlows(String overlay) {
        Flows flows = new Flows(overlay);
        var ingress = Flows.Peer.namespace("ingress-nginx");
        var ssh = Flows.Peer.external("192.0.2.10");
        var kafka = Flows.Peer.pod(Map.of(
                "strimzi.io/cluster", "devops-kafka", "strimzi.io/broker-role", "true", "strimzi.io/kind", "Kafka"));
        var postgres = Flows.Peer.pod(Map.of("cnpg.io/cluster", "devops-db"));
        var keycloak = Flows.Peer.pod(Map.of("app", "keycloak"));
        assertThat(flows.allowed(ingress, Flows.Peer.service("console-ui"), 8080))
                .as("ingress -> console-ui")
                .isTrue();
        for (String b : BACKENDS) {
            assertThat(flows.allowed(Flows.Peer.service("console-ui"), Flows.Peer.service(b), 8080))
                    .as("console-ui -> " + b)
                    .isTrue();
            assertThat(flows.allowed(Flows.Peer.service(b), kafka, 9093))
                    .as(b + " -> kafka")
                    .isTrue();
            assertThat(flows.allowed(Flows.Peer.service(b), postgres, 5432))
                    .as(b + " -> postgres")
                    .isTrue();
            assertThat(flows.allowed(Flows.Peer.service(b), keycloak, 8443))
                    .as(b + " -> keycloak")
                    .isTrue();
            assertThat(flows.allowed(ingress, Flows.Peer.service(b), 8080))
                    .as("ingress -> " + b + " (only the console is exposed)")
                    .isFalse();
        }
        assertThat(flows.allowed(
                        Flows.Peer.service("onboarding-service"), Flows.Peer.service("registry-service"), 8080))
                .isTrue();
        assertThat(flows.allowed(Flows.Peer.service("agent-runner"), ssh, 22))
                .as("agent-runner -> SSH targets")
                .isTrue();
        assertThat(flows.allowed(Flows.Peer.service("onboarding-service"), ssh, 22))
                .as("onboarding -> SSH targets")
                .isTrue();
        assertThat(flows.allowed(keycloak, postgres, 5432))
                .as("keycloak -> postgres")
                .isTrue();
        // and what must stay closed
        assertThat(flows.allowed(Flows.Peer.service("console-ui"), postgres, 5432))
                .as("console-ui -> postgres")
                .isFalse();
        assertThat(flows.allowed(Flows.Peer.service("console-ui"), kafka, 9093))
                .as("console-ui -> kafka")
                .isFalse();
        assertThat(flows.allowed(Flows.Peer.service("registry-service"), ssh, 22))
                .as("registry -> SSH targets")
                .isFalse();
        assertThat(flows.allowed(Flows.Peer.service("agent-runner"), Flows.Peer.external("203.0.113.9"), 22))
                .as("agent-runner -> a network not listed")
                .isFalse();
        assertThat(flows.allowed(Flows.Peer.service("agent-runner"), ssh, 443))
                .as("agent-runner -> SSH network, other port")
                .isFalse();
        assertThat(flows.allowed(Flows.Peer.service("console-ui"), Flows.Peer.external("8.8.8.8"), 443))
                .as("console-ui -> internet")
                .isFalse();
        assertThat(flows.allowed(Flows.Peer.service("audit-service"), Flows.Peer.service("agent-runner"), 8080))
                .as("audit -> agent-runner")
                .isFalse();
        assertThat(flows.allowed(Flows.Peer.service("registry-service"), Flows.Peer.namespace("vault"), 8200))
                .as("registry -> vault")
                .isFalse();
        assertThat(flows.allowed(Flows.Peer.service("agent-runner"), Flows.Peer.namespace("vault"), 8200))
                .as("agent-runner -> vault")
                .isTrue();
    }

    /**
     * Every workload runs locked down: non-root, read-only root filesystem with a writable /tmp, no
     * capabilities, seccomp RuntimeDefault, the three health probes, a memory limit equal to its
     * request and a heap inside it, and JVM options this build's JVM starts with.
     */
    @ParameterizedTest
    @MethodSource("overlays")
    void everyWorkloadIsLockedDownProbedAndSized(String overlay) throws IOException {
        for (JsonNode d : Rendered.ofKind(overlay, "Deployment").toList()) {
            JsonNode pod = d.at("/spec/template/spec");
            assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean())
                    .as(name(d))
                    .isTrue();
            assertThat(pod.at("/securityContext/seccompProfile/type").asText())
                    .as(name(d))
                    .isEqualTo("RuntimeDefault");
            assertThat(pod.path("topologySpreadConstraints")).as(name(d)).isNotEmpty();
            for (JsonNode c : pod.path("containers")) {
                assertThat(c.at("/securityContext/readOnlyRootFilesystem").asBoolean())
                        .as(name(d))
                        .isTrue();
                assertThat(c.at("/securityContext/allowPrivilegeEscalation").asBoolean(true))
                        .as(name(d))
                        .isFalse();
                assertThat(c.at("/securityContext/capabilities/drop").toString())
                        .as(name(d))
                        .contains("ALL");
                assertThat(c.at("/startupProbe/httpGet/path").asText()).isEqualTo("/q/health/started");
                assertThat(c.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/q/health/live");
                assertThat(c.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/q/health/ready");
                assertThat(c.at("/resources/limits/memory").asText())
                        .isEqualTo(c.at("/resources/requests/memory").asText());
                assertThat(c.path("volumeMounts").toString()).contains("\"/tmp\"");
                String options = Rendered.find(overlay, "ConfigMap", name(d))
                        .orElseThrow()
                        .at("/data/JAVA_TOOL_OPTIONS")
                        .asText();
                Rendered.jvmAccepts(options);
                Matcher heap = Pattern.compile("-Xmx([0-9]+)m").matcher(options);
                assertThat(heap.find()).as(name(d) + " sets its heap").isTrue();
                int limitMi = Integer.parseInt(
                        c.at("/resources/limits/memory").asText().replace("Mi", ""));
                assertThat(Integer.parseInt(heap.group(1)))
                        .as(name(d) + " heap inside the limit with room")
                        .isLessThan(limitMi * 2 / 3);
            }
        }
    }

    /**
     * The settings scripts/up gives every service reach each Deployment under the same names
     * (from its ConfigMap, or a Secret for secrets), so one set of configuration names is documented.
     */
    @ParameterizedTest
    @MethodSource("overlays")
    void everyServiceGetsTheSettingsScriptsUpGivesItUnderTheSameNames(String overlay) throws IOException {
        Map<String, Set<String>> expected = Settings.byService();
        for (String s : SERVICES) {
            JsonNode d = Rendered.find(overlay, "Deployment", s).orElseThrow();
            Set<String> given = new TreeSet<>();
            JsonNode c = d.at("/spec/template/spec/containers/0");
            c.path("env").forEach(e -> given.add(e.path("name").asText()));
            Rendered.find(overlay, "ConfigMap", s)
                    .orElseThrow()
                    .path("data")
                    .fieldNames()
                    .forEachRemaining(given::add);
            assertThat(given).as(s + " in " + overlay).containsAll(expected.get(s));
        }
    }

    /** The realm import is our realm (deploy/keycloak): same clients, roles, mappers, lifespans; only what a cluster changes differs. */
    @ParameterizedTest
    @MethodSource("overlays")
    void theRealmImportIsOurRealm(String overlay) throws IOException {
        JsonNode imported = Rendered.find(overlay, "KeycloakRealmImport", "devops-console-realm")
                .orElseThrow()
                .at("/spec/realm");
        ObjectNode ours = (ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(Rendered.ROOT
                        .resolve("deploy/keycloak/devops-console-realm.json")
                        .toFile());
        ObjectNode expected = ours.deepCopy();
        expected.put("sslRequired", "external");
        String consoleUrl = imported.at("/clients/0/webOrigins/0").asText();
        assertThat(consoleUrl).startsWith("https://");
        for (JsonNode client : expected.path("clients")) {
            ObjectNode c = (ObjectNode) client;
            if (c.path("secret").asText().equals("__CONSOLE_SECRET__")) {
                c.put("secret", "${CONSOLE_CLIENT_SECRET}");
                c.set(
                        "redirectUris",
                        new com.fasterxml.jackson.databind.ObjectMapper()
                                .createArrayNode()
                                .add(consoleUrl + "/*"));
                c.set(
                        "webOrigins",
                        new com.fasterxml.jackson.databind.ObjectMapper()
                                .createArrayNode()
                                .add(consoleUrl));
                ((ObjectNode) c.path("attributes")).put("post.logout.redirect.uris", consoleUrl + "/*");
            }
            if (c.path("secret").asText().equals("__AUTOMATION_SECRET__")) {
                c.put("secret", "${AUTOMATION_CLIENT_SECRET}");
            }
        }
        expected.path("users")
                .forEach(u -> u.path("credentials").forEach(cr -> {
                    if (cr.path("value").asText().equals("__ADMIN_PASSWORD__")) {
                        ((ObjectNode) cr).put("value", "${ADMIN_INITIAL_PASSWORD}");
                    }
                }));
        assertThat(imported).isEqualTo(expected);
        assertThat(Rendered.find(overlay, "Ingress", "console-ui")
                        .orElseThrow()
                        .at("/spec/rules/0/host")
                        .asText())
                .isEqualTo(consoleUrl.substring("https://".length()));
    }

    @Test
    void productionRunsTwoOfEverythingAndScalesTheStreamingServices() {
        for (String s : SERVICES) {
            assertThat(Rendered.find("prod", "Deployment", s)
                            .orElseThrow()
                            .at("/spec/replicas")
                            .asInt())
                    .as(s)
                    .isGreaterThanOrEqualTo(2);
            assertThat(Rendered.find("dev", "Deployment", s)
                            .orElseThrow()
                            .at("/spec/replicas")
                            .asInt())
                    .as(s)
                    .isEqualTo(1);
        }
        assertThat(Rendered.ofKind("prod", "HorizontalPodAutoscaler")
                        .map(h -> h.at("/spec/scaleTargetRef/name").asText()))
                .containsExactlyInAnyOrder("session-service", "agent-runner");
        assertThat(Rendered.ofKind("prod", "Secret"))
                .as("production secrets come from your secret manager")
                .isEmpty();
        assertThat(Rendered.find("prod", "KafkaNodePool", "dual-role")
                        .orElseThrow()
                        .at("/spec/replicas")
                        .asInt())
                .isEqualTo(3);
        assertThat(Rendered.find("prod", "Cluster", "devops-db")
                        .orElseThrow()
                        .at("/spec/instances")
                        .asInt())
                .isEqualTo(3);
        Rendered.ofKind("prod", "KafkaTopic")
                .forEach(t -> assertThat(t.at("/spec/replicas").asInt()).isEqualTo(3));
    }

    /** Each alert rule uses a metric a service really exports (names as Prometheus shows Micrometer's meters). */
    @Test
    void everyAlertUsesAMetricTheServicesExport() throws IOException {
        Set<String> meters = new TreeSet<>();
        try (var files = Files.walk(Rendered.ROOT)) {
            for (Path f : files.filter(
                            p -> p.toString().endsWith(".java") && p.toString().contains("/src/main/"))
                    .toList()) {
                Matcher m = Pattern.compile("(?:builder|counter|gauge|timer)\\(\\s*\"([a-z0-9._]+)\"")
                        .matcher(Files.readString(f));
                while (m.find()) {
                    meters.add(m.group(1).replace('.', '_'));
                }
            }
        }
        JsonNode rules =
                Rendered.find("prod", "PrometheusRule", "devops-console").orElseThrow();
        for (JsonNode rule : rules.at("/spec/groups/0/rules")) {
            String expr = rule.path("expr").asText();
            Matcher m = Pattern.compile("([a-z_]+?)(_total|_seconds_bucket|_seconds)?[\\[{ )]")
                    .matcher(expr + " ");
            boolean known = false;
            while (m.find()) {
                String base = m.group(1);
                known |= meters.contains(base)
                        || meters.contains(base + "_seconds")
                        || base.startsWith("kafka_consumer");
            }
            assertThat(known).as(rule.path("alert").asText() + ": " + expr).isTrue();
        }
    }

    /** Whether a plain label selector (a Service's, or a matchLabels) selects these labels: the one rule in {@link Flows#selects}. */
    static boolean matches(JsonNode selector, JsonNode labels) {
        if (selector.isMissingNode() || selector.isEmpty()) {
            return false;
        }
        Map<String, String> values = new HashMap<>();
        labels.fields()
                .forEachRemaining(e -> values.put(e.getKey(), e.getValue().asText()));
        ObjectNode wrapped = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
        wrapped.set("matchLabels", selector);
        return Flows.selects(wrapped, values);
    }
}
