package io.devopsconsole.testkit.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.devopsconsole.testkit.codex.TestSshServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.session.ClientSession;

/**
 * The floor of the relay bench, in the same run: the same scripted worker on the same SSH host, driven
 * directly by this JVM over SSH (what the agent-runner's first hop is), with no console in between.
 * Each session opens an app-server channel, starts a thread and a measured turn, and times each stamped
 * delta line from written to read.
 */
final class DirectFloor {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern STAMP = Pattern.compile("@@T(\\d+)");

    private DirectFloor() {}

    /** Worker line written → read by a direct SSH client, nanoseconds, one sample per delta. */
    static ConcurrentLinkedQueue<Long> run(TestSshServer host, int sessions, int deltas, long everyMs)
            throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair key = g.generateKeyPair();
        host.authorize(key.getPublic());
        ConcurrentLinkedQueue<Long> samples = new ConcurrentLinkedQueue<>();
        SshClient client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier((session, address, serverKey) -> true); // our own in-JVM host
        client.start();
        try {
            List<Thread> threads = new ArrayList<>();
            List<Exception> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
            for (int i = 0; i < sessions; i++) {
                Thread t = new Thread(
                        () -> {
                            try {
                                one(client, host.port(), key, deltas, everyMs, samples);
                            } catch (Exception e) {
                                failures.add(e);
                            }
                        },
                        "bench-direct-" + i);
                t.start();
                threads.add(t);
            }
            for (Thread t : threads) {
                t.join(Duration.ofSeconds(deltas * everyMs / 1000 + 60).toMillis());
            }
            if (!failures.isEmpty()) {
                throw new IllegalStateException("direct floor: " + failures.get(0), failures.get(0));
            }
        } finally {
            client.stop();
        }
        return samples;
    }

    private static void one(
            SshClient client, int port, KeyPair key, int deltas, long everyMs, ConcurrentLinkedQueue<Long> out)
            throws Exception {
        try (ClientSession session = client.connect("bench", "127.0.0.1", port)
                        .verify(Duration.ofSeconds(30))
                        .getSession();
                ChannelExec channel = openAppServer(session, key)) {
            OutputStream in = channel.getInvertedIn();
            BufferedReader lines =
                    new BufferedReader(new InputStreamReader(channel.getInvertedOut(), StandardCharsets.UTF_8));
            send(
                    in,
                    request(0, "initialize")
                            .set(
                                    "params",
                                    JSON.createObjectNode()
                                            .set(
                                                    "clientInfo",
                                                    JSON.createObjectNode()
                                                            .put("name", "bench")
                                                            .put("version", "1"))));
            answer(lines, 0);
            send(
                    in,
                    request(1, "thread/start")
                            .set("params", JSON.createObjectNode().put("cwd", "/srv/bench")));
            String thread = answer(lines, 1).path("thread").path("id").asText();
            ObjectNode turn = request(2, "turn/start");
            ObjectNode params = turn.putObject("params").put("threadId", thread);
            params.putArray("input")
                    .addObject()
                    .put("type", "text")
                    .put("text", "BENCH_DELTAS " + deltas + " " + everyMs);
            send(in, turn);
            String line;
            while ((line = lines.readLine()) != null) {
                long now = System.nanoTime();
                Matcher m = STAMP.matcher(line);
                if (line.contains("item/agentMessage/delta") && m.find()) {
                    out.add(now - Long.parseLong(m.group(1)));
                } else if (line.contains("\"turn/completed\"")) {
                    return;
                }
            }
        }
    }

    private static ChannelExec openAppServer(ClientSession session, KeyPair key) throws Exception {
        session.addPublicKeyIdentity(key);
        session.auth().verify(Duration.ofSeconds(30));
        ChannelExec channel = session.createExecChannel("codex app-server");
        channel.open().verify(Duration.ofSeconds(30));
        return channel;
    }

    private static ObjectNode request(int id, String method) {
        return JSON.createObjectNode().put("id", id).put("method", method);
    }

    private static void send(OutputStream in, JsonNode message) throws Exception {
        in.write((JSON.writeValueAsString(message) + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    /** Reads until the response to {@code id}; its result. */
    private static JsonNode answer(BufferedReader lines, int id) throws Exception {
        String line;
        while ((line = lines.readLine()) != null) {
            JsonNode m = JSON.readTree(line);
            if (m.path("id").asInt(-1) == id && !m.has("method")) {
                if (m.has("error")) {
                    throw new IllegalStateException("app-server refused " + id + ": " + m.get("error"));
                }
                return m.path("result");
            }
        }
        throw new IllegalStateException("the app-server channel closed before answering " + id);
    }
}
