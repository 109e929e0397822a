package io.devopsconsole.clients;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.devopsconsole.clients.registry.api.ProjectResourceApi;
import io.devopsconsole.clients.registry.api.TargetResourceApi;
import io.devopsconsole.clients.registry.model.CreateProjectRequest;
import io.devopsconsole.clients.registry.model.Environment;
import io.devopsconsole.clients.registry.model.ProjectResponse;
import io.devopsconsole.clients.registry.model.RegisterTargetRequest;
import io.devopsconsole.clients.registry.model.TargetResponse;
import io.devopsconsole.clients.session.api.SessionResourceApi;
import io.devopsconsole.clients.session.model.CreateSessionRequest;
import io.devopsconsole.clients.session.model.MessagePosted;
import io.devopsconsole.clients.session.model.PostMessageRequest;
import io.devopsconsole.clients.session.model.SessionView;
import io.devopsconsole.clients.session.model.StopSessionRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * A new team's first day with our API: clients generated from the services' OpenAPI documents by
 * openapi-generator (no hand edits) create a project and a target in registry-service, open the
 * project's session in session-service, post a message and read it back from the transcript, then
 * stop the session — against a running stack (the browser test's), with a token of the automation
 * client. Any answer the generated code cannot read (a status, a field or a type the document gets
 * wrong) fails it.
 *
 * <p>Arguments: the stack's state directory (its {@code secrets.env}) and port offset.
 */
public final class GeneratedClientCheck {

    private static final ObjectMapper JSON = new ObjectMapper();

    private GeneratedClientCheck() {}

    public static void main(String[] args) throws Exception {
        Path state = Path.of(args[0]);
        int offset = Integer.parseInt(args[1]);
        Map<String, String> secrets = Files.readAllLines(state.resolve("secrets.env")).stream()
                .filter(l -> l.contains("=") && !l.startsWith("#"))
                .collect(Collectors.toMap(
                        l -> l.substring(0, l.indexOf('=')).replaceFirst("^export ", ""),
                        l -> l.substring(l.indexOf('=') + 1).replaceAll("^['\"]|['\"]$", ""),
                        (a, b) -> b));
        String token = token(offset, secrets.get("AUTOMATION_CLIENT_SECRET"));

        io.devopsconsole.clients.registry.ApiClient registry = new io.devopsconsole.clients.registry.ApiClient();
        registry.updateBaseUri("http://127.0.0.1:" + (8081 + offset));
        registry.setRequestInterceptor(b -> b.header("Authorization", "Bearer " + token));
        io.devopsconsole.clients.session.ApiClient sessions = new io.devopsconsole.clients.session.ApiClient();
        sessions.updateBaseUri("http://127.0.0.1:" + (8082 + offset));
        sessions.setRequestInterceptor(b -> b.header("Authorization", "Bearer " + token));

        String suffix = UUID.randomUUID().toString().substring(0, 8);
        ProjectResponse project = new ProjectResourceApi(registry)
                .projectResourceCreate(new CreateProjectRequest()
                        .slug("generated-" + suffix)
                        .name("Generated client " + suffix)
                        .defaultWorkingDirectory("/srv/generated-" + suffix));
        require(
                project.getId() != null && project.getSlug().equals("generated-" + suffix),
                "project created: " + project);
        System.out.println("generated registry client: project " + project.getId() + " created (201)");

        TargetResponse target = new TargetResourceApi(registry)
                .targetResourceRegister(new RegisterTargetRequest()
                        .name("generated-" + suffix)
                        .host("10.250.0." + (1 + Math.floorMod(suffix.hashCode(), 250)))
                        .environment(Environment.LAB));
        require(target.getId() != null && target.getEnvironment() == Environment.LAB, "target registered: " + target);
        System.out.println("generated registry client: target " + target.getId() + " registered (201)");

        SessionResourceApi api = new SessionResourceApi(sessions);
        // session-service learns of the project from registry's events (a moment later)
        SessionView session = retry(
                Duration.ofSeconds(60),
                () -> api.sessionResourceCreate(new CreateSessionRequest().projectId(project.getId())));
        require(session.getProjectId().equals(project.getId()), "session of the project: " + session);
        System.out.println(
                "generated session client: session " + session.getId() + " opened (201, " + session.getState() + ")");

        String text = "hello from a generated client " + suffix;
        MessagePosted posted = api.sessionResourcePost(session.getId(), new PostMessageRequest().text(text));
        require(posted != null, "message posted");
        System.out.println("generated session client: message posted (201): " + posted);
        String transcript =
                sessions.getObjectMapper().writeValueAsString(api.sessionResourceEvents(session.getId(), null, null));
        require(transcript.contains(text), "the transcript holds the message: " + transcript);
        SessionView stopped = api.sessionResourceStop(
                session.getId(), new StopSessionRequest().reason("generated client check done"));
        System.out.println("generated session client: transcript read back, session " + stopped.getState());
        System.out.println("generated-client check passed");
    }

    private static <T> T retry(Duration within, Callable<T> call) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            try {
                return call.call();
            } catch (Exception e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(500);
            }
        }
    }

    private static String token(int offset, String secret) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + (18080 + offset)
                                        + "/realms/devops-console/protocol/openid-connect/token"))
                                .header("Content-Type", "application/x-www-form-urlencoded")
                                .POST(HttpRequest.BodyPublishers.ofString(
                                        "grant_type=client_credentials&client_id=devops-automation&client_secret="
                                                + secret))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        require(r.statusCode() == 200, "token: " + r.statusCode() + " " + r.body());
        JsonNode body = JSON.readTree(r.body());
        return body.path("access_token").asText();
    }

    private static void require(boolean condition, String what) {
        if (!condition) {
            throw new AssertionError("generated-client check failed: " + what);
        }
    }
}
