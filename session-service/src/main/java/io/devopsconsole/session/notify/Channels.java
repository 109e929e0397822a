package io.devopsconsole.session.notify;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.devopsconsole.events.EventJson;
import io.devopsconsole.platform.redaction.SecretScanner;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The channels notifications go out on, speaking their own protocols: a Slack-compatible incoming
 * webhook ({@code POST} of {@code {"text": ...}}, answered {@code 200 ok}) and a Matrix room through
 * the client-server API ({@code PUT /_matrix/client/v3/rooms/{room}/send/m.room.message/{txn}} with
 * the bot's bearer token; the transaction id makes a repeated send one message). A failure is reported
 * by status or cause only: the webhook URL and the token never appear in a message, a row or a log.
 */
@ApplicationScoped
public class Channels {

    /** The longest command text a notification quotes. */
    static final int SUMMARY_CHARS = 200;

    private final NotifyConfig config;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public Channels(NotifyConfig config) {
        this.config = config;
    }

    /** The channels that are on (their settings are there). */
    public List<String> enabled() {
        List<String> on = new ArrayList<>();
        if (config.slack().webhookUrl().filter(u -> !u.isBlank()).isPresent()) {
            on.add("slack");
        }
        if (config.matrix().homeserverUrl().filter(u -> !u.isBlank()).isPresent()
                && config.matrix().roomId().filter(u -> !u.isBlank()).isPresent()
                && config.matrix().accessToken().filter(u -> !u.isBlank()).isPresent()) {
            on.add("matrix");
        }
        return on;
    }

    /** What a notification says, in plain text: project, command (redacted, clipped, inert), risk, link. */
    record Message(String title, String command, String risk, String link) {
        String plain() {
            return title + ": " + command + " (" + risk + ")"
                    + (link == null ? " — open the console's Inbox" : " — " + link);
        }
    }

    Message message(NotificationStore.Due d) {
        String project = d.projectName() == null ? "a project" : inert(d.projectName());
        String command = io.devopsconsole.platform.text.StoredText.clip(
                inert(SecretScanner.redactText(d.summary())), SUMMARY_CHARS);
        String link = config.consoleUrl()
                .filter(u -> !u.isBlank())
                .map(u -> u.replaceAll("/+$", "") + "/#/projects/" + d.projectId() + "/sessions/" + d.sessionId())
                .orElse(null);
        return new Message("Approval waiting in " + project, command, inert(d.risk()), link);
    }

    public Uni<Void> send(NotificationStore.Due d) {
        Message m = message(d);
        return switch (d.channel()) {
            case "slack" -> slack(m);
            case "matrix" -> matrix(m, d.txnId().toString());
            default -> Uni.createFrom().failure(new IllegalStateException("unknown channel " + d.channel()));
        };
    }

    private Uni<Void> slack(Message m) {
        // Slack's mrkdwn: &, < and > are escaped; the link is <url|text>
        String text = "*" + slackEscape(m.title()) + "*: `"
                + slackEscape(m.command().replace('`', '\'')) + "` ("
                + slackEscape(m.risk()) + ")"
                + (m.link() == null ? " — open the console's Inbox" : " — <" + m.link() + "|decide in the console>");
        ObjectNode body =
                EventJson.mapper().createObjectNode().put("text", text).put("unfurl_links", false);
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create(config.slack().webhookUrl().orElseThrow()))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build();
        return call(request, "the Slack webhook");
    }

    private Uni<Void> matrix(Message m, String txn) {
        String base = config.matrix().homeserverUrl().orElseThrow().replaceAll("/+$", "");
        String room = URLEncoder.encode(config.matrix().roomId().orElseThrow(), StandardCharsets.UTF_8);
        String html = "<b>" + htmlEscape(m.title()) + "</b>: <code>" + htmlEscape(m.command()) + "</code> ("
                + htmlEscape(m.risk()) + ")"
                + (m.link() == null
                        ? " — open the console's Inbox"
                        : " — <a href=\"" + htmlEscape(m.link()) + "\">decide in the console</a>");
        ObjectNode body = EventJson.mapper()
                .createObjectNode()
                .put("msgtype", "m.notice")
                .put("body", m.plain())
                .put("format", "org.matrix.custom.html")
                .put("formatted_body", html);
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create(base + "/_matrix/client/v3/rooms/" + room + "/send/m.room.message/" + txn))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .header(
                        "Authorization",
                        "Bearer " + config.matrix().accessToken().orElseThrow())
                .PUT(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build();
        return call(request, "the Matrix homeserver");
    }

    private Uni<Void> call(HttpRequest request, String what) {
        return Uni.createFrom()
                .completionStage(() -> http.sendAsync(request, HttpResponse.BodyHandlers.discarding()))
                .onFailure()
                .transform(f -> new ChannelFailure("could not reach " + what + " ("
                        + (f.getCause() != null
                                ? f.getCause().getClass().getSimpleName()
                                : f.getClass().getSimpleName())
                        + ")"))
                .map(response -> {
                    if (response.statusCode() / 100 != 2) {
                        throw new ChannelFailure(what + " answered " + response.statusCode());
                    }
                    return null;
                });
    }

    /** A channel refused or could not be reached; the message says which and how, never with a secret. */
    static final class ChannelFailure extends RuntimeException {
        ChannelFailure(String message) {
            super(message, null, false, false);
        }
    }

    /** Text as a chat shows it safely: terminal escapes dropped, controls as spaces, directional overrides named. */
    static String inert(String text) {
        if (text == null) {
            return "";
        }
        return text.replaceAll("\u001b\\[[0-?]*[ -/]*[@-~]", "")
                .replaceAll("[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]", " ")
                .replace("\n", " ")
                .replaceAll("[\\u202a-\\u202e\\u2066-\\u2069\\u200e\\u200f\\u061c]", "[bidi]");
    }

    private static String slackEscape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static String htmlEscape(String s) {
        return slackEscape(s).replace("\"", "&quot;");
    }
}
