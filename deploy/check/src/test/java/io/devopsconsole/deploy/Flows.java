package io.devopsconsole.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Whether the rendered NetworkPolicies let a connection through, by the Kubernetes rules: a pod
 * selected by a policy of a direction accepts only what one of those policies' rules allows;
 * a connection needs the source's egress and the destination's ingress. The Kafka listeners'
 * ingress rules are the ones Strimzi generates from the listener's {@code networkPolicyPeers}.
 */
final class Flows {

    /** A pod of our namespace (labels), of another namespace (its name), or an address outside the cluster. */
    record Peer(Map<String, String> labels, String namespace, String ip) {
        static Peer pod(Map<String, String> labels) {
            return new Peer(labels, null, null);
        }

        static Peer namespace(String name) {
            return new Peer(Map.of(), name, null);
        }

        static Peer external(String ip) {
            return new Peer(Map.of(), null, ip);
        }

        /** The pods of one of our Deployments. */
        static Peer service(String deployment) {
            return new Peer(Map.of("app.kubernetes.io/name", deployment), null, null);
        }

        boolean ours() {
            return namespace == null && ip == null;
        }
    }

    private final List<JsonNode> policies;
    private final String overlay;

    Flows(String overlay) {
        this.overlay = overlay;
        this.policies = Rendered.ofKind(overlay, "NetworkPolicy").toList();
    }

    boolean allowed(Peer from, Peer to, int port) {
        Peer source = from.ours() && from.labels().containsKey("app.kubernetes.io/name") ? withPodLabels(from) : from;
        Peer target = to.ours() && to.labels().containsKey("app.kubernetes.io/name") ? withPodLabels(to) : to;
        boolean egress = !source.ours() || permits(source, "Egress", "egress", "to", target, port);
        boolean ingress = !target.ours()
                || permits(target, "Ingress", "ingress", "from", source, port)
                || kafkaListener(source, target, port);
        return egress && ingress;
    }

    private Peer withPodLabels(Peer p) {
        Map<String, String> labels = new HashMap<>(p.labels());
        Rendered.find(overlay, "Deployment", p.labels().get("app.kubernetes.io/name"))
                .ifPresent(d -> d.at("/spec/template/metadata/labels")
                        .fields()
                        .forEachRemaining(
                                e -> labels.put(e.getKey(), e.getValue().asText())));
        return new Peer(labels, null, null);
    }

    private boolean permits(Peer subject, String type, String direction, String peersField, Peer other, int port) {
        boolean selected = false;
        for (JsonNode policy : policies) {
            JsonNode spec = policy.path("spec");
            if (!selects(spec.path("podSelector"), subject.labels()) || !hasType(spec, type)) {
                continue;
            }
            selected = true;
            for (JsonNode rule : spec.path(direction)) {
                if (portMatches(rule.path("ports"), port) && peerMatches(rule.path(peersField), other)) {
                    return true;
                }
            }
        }
        return !selected;
    }

    private static boolean hasType(JsonNode spec, String type) {
        for (JsonNode t : spec.path("policyTypes")) {
            if (t.asText().equals(type)) {
                return true;
            }
        }
        return false;
    }

    private static boolean portMatches(JsonNode ports, int port) {
        if (ports.isMissingNode() || ports.isEmpty()) {
            return true;
        }
        for (JsonNode p : ports) {
            if (p.path("port").isMissingNode() || p.path("port").asInt(-1) == port) {
                return true;
            }
        }
        return false;
    }

    private static boolean peerMatches(JsonNode peers, Peer other) {
        if (peers.isMissingNode() || peers.isEmpty()) {
            return true;
        }
        for (JsonNode peer : peers) {
            if (peer.has("ipBlock")) {
                if (other.ip() != null
                        && inCidr(other.ip(), peer.at("/ipBlock/cidr").asText())) {
                    return true;
                }
                continue;
            }
            if (peer.has("namespaceSelector")) {
                if (other.namespace() != null
                        && selects(
                                peer.path("namespaceSelector"),
                                Map.of("kubernetes.io/metadata.name", other.namespace()))
                        && (!peer.has("podSelector") || peer.path("podSelector").isEmpty())) {
                    return true;
                }
                continue;
            }
            if (peer.has("podSelector") && other.ours() && selects(peer.path("podSelector"), other.labels())) {
                return true;
            }
        }
        return false;
    }

    /** Strimzi's policy for a listener: its port, from the listener's networkPolicyPeers. */
    private boolean kafkaListener(Peer source, Peer target, int port) {
        for (JsonNode kafka : Rendered.ofKind(overlay, "Kafka").toList()) {
            if (!Rendered.name(kafka).equals(target.labels().get("strimzi.io/cluster"))) {
                continue;
            }
            for (JsonNode listener : kafka.at("/spec/kafka/listeners")) {
                if (listener.path("port").asInt() == port && peerMatches(listener.path("networkPolicyPeers"), source)) {
                    return true;
                }
            }
        }
        return false;
    }

    static boolean selects(JsonNode selector, Map<String, String> labels) {
        if (selector.isMissingNode()) {
            return false;
        }
        var it = selector.path("matchLabels").fields();
        while (it.hasNext()) {
            var e = it.next();
            if (!e.getValue().asText().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        for (JsonNode expr : selector.path("matchExpressions")) {
            String value = labels.get(expr.path("key").asText());
            boolean in = false;
            for (JsonNode v : expr.path("values")) {
                in |= v.asText().equals(value);
            }
            switch (expr.path("operator").asText()) {
                case "In" -> {
                    if (!in) {
                        return false;
                    }
                }
                case "NotIn" -> {
                    if (in) {
                        return false;
                    }
                }
                case "Exists" -> {
                    if (value == null) {
                        return false;
                    }
                }
                case "DoesNotExist" -> {
                    if (value != null) {
                        return false;
                    }
                }
                default -> {
                    return false;
                }
            }
        }
        return true;
    }

    static boolean inCidr(String ip, String cidr) {
        String[] parts = cidr.split("/");
        long mask = parts.length == 1 ? 0xFFFFFFFFL : (0xFFFFFFFFL << (32 - Integer.parseInt(parts[1]))) & 0xFFFFFFFFL;
        return (v4(ip) & mask) == (v4(parts[0]) & mask);
    }

    private static long v4(String ip) {
        long out = 0;
        for (String octet : ip.split("\\.")) {
            out = out << 8 | Integer.parseInt(octet);
        }
        return out;
    }
}
