package io.devopsconsole.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The local stack's secured Kafka ({@code DEVOPS_KAFKA_SECURITY=sasl_ssl scripts/up}): one broker that
 * accepts clients only over SASL_SSL with SCRAM-SHA-512, with exactly the topics, users and ACLs the
 * Kubernetes manifests declare ({@code deploy/k8s/components/kafka}: KafkaTopic and KafkaUser), so the
 * services run locally under the same authorization they get in a cluster.
 *
 * <p>{@code java ... SecuredKafka <dataDir> <port> <controllerPort> <manifestDir> <heap>}; the super
 * user's password comes from {@code DEVOPS_KAFKA_ADMIN_PASSWORD}, the services' SCRAM passwords from
 * the file named by {@code DEVOPS_KAFKA_USERS} ({@code user=password} per line).
 */
public final class SecuredKafka {

    private SecuredKafka() {}

    /** The documents of {@code kind} in a manifest file (several YAML documents). */
    static List<JsonNode> documents(Path file, String kind) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        try (MappingIterator<JsonNode> docs =
                new YAMLMapper().readerFor(JsonNode.class).readValues(file.toFile())) {
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                if (doc != null && kind.equals(doc.path("kind").asText())) {
                    out.add(doc);
                }
            }
        }
        return out;
    }

    /** A KafkaUser's simple-authorization ACLs as broker ACL bindings (allow, any host). */
    public static List<AclBinding> acls(JsonNode kafkaUser) {
        List<AclBinding> out = new ArrayList<>();
        String principal = "User:" + kafkaUser.at("/metadata/name").asText();
        for (JsonNode acl : kafkaUser.at("/spec/authorization/acls")) {
            JsonNode r = acl.path("resource");
            // Strimzi says literal or prefix; the broker says LITERAL or PREFIXED
            PatternType patternType = r.path("patternType").asText("literal").equals("prefix")
                    ? PatternType.PREFIXED
                    : PatternType.LITERAL;
            ResourcePattern pattern = new ResourcePattern(
                    ResourceType.valueOf(r.path("type").asText().toUpperCase()),
                    r.path("name").asText(),
                    patternType);
            for (JsonNode op : acl.path("operations")) {
                out.add(new AclBinding(
                        pattern,
                        new AccessControlEntry(
                                principal,
                                "*",
                                AclOperation.valueOf(op.asText().toUpperCase()),
                                AclPermissionType.ALLOW)));
            }
        }
        return out;
    }

    /** Topics (with their partition counts) and users (with their ACLs) as the manifests declare them. */
    public static void provision(KafkaBroker broker, Path manifestDir, Map<String, String> passwords)
            throws IOException {
        for (JsonNode topic : documents(manifestDir.resolve("topics.yaml"), "KafkaTopic")) {
            broker.createTopic(
                    topic.at("/spec/topicName").asText(),
                    topic.at("/spec/partitions").asInt(1));
        }
        for (JsonNode user : documents(manifestDir.resolve("users.yaml"), "KafkaUser")) {
            String name = user.at("/metadata/name").asText();
            String password = passwords.get(name);
            if (password == null) {
                throw new IllegalStateException("no SCRAM password for Kafka user " + name + " (DEVOPS_KAFKA_USERS)");
            }
            broker.createUser(name, password, acls(user));
        }
    }

    public static void main(String[] args) throws Exception {
        String adminPassword = System.getenv("DEVOPS_KAFKA_ADMIN_PASSWORD");
        if (adminPassword == null || adminPassword.isBlank()) {
            throw new IllegalStateException("DEVOPS_KAFKA_ADMIN_PASSWORD is not set");
        }
        Map<String, String> passwords = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of(System.getenv("DEVOPS_KAFKA_USERS")))) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                passwords.put(
                        line.substring(0, eq).trim(), line.substring(eq + 1).trim());
            }
        }
        KafkaBroker broker = KafkaBroker.secured(
                Path.of(args[0]),
                Integer.parseInt(args[1]),
                Integer.parseInt(args[2]),
                3,
                args.length > 4 ? args[4] : "512m",
                adminPassword);
        Runtime.getRuntime().addShutdownHook(new Thread(broker::stop));
        broker.start();
        Files.writeString(
                broker.dataDir().resolve("broker.pid"),
                Long.toString(broker.process().pid()));
        provision(broker, Path.of(args[3]), passwords);
        System.out.println("kafka ready on " + broker.bootstrapServers() + " (SASL_SSL, SCRAM-SHA-512; CA "
                + broker.certificate() + ")");
        broker.process().waitFor();
    }
}
