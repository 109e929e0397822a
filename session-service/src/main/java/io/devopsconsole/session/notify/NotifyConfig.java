package io.devopsconsole.session.notify;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * Outbound notifications of approvals waiting for a person ({@code devops.notify.*}), per
 * installation. A channel is on when its settings are there; the webhook URL and the Matrix access
 * token are secrets (from the environment or a Kubernetes secret) and never logged or stored.
 */
@ConfigMapping(prefix = "devops.notify")
public interface NotifyConfig {

    /** The console's address as people open it, for the deep link to the approval (none: no link). */
    Optional<String> consoleUrl();

    /** How long an approval waits before it is announced (one decided meanwhile is not announced). */
    @WithDefault("PT5S")
    Duration debounce();

    /** How often due notifications are looked for. */
    @WithDefault("PT1S")
    Duration interval();

    /** The wait after a first failed attempt; it doubles after each further one, up to five minutes. */
    @WithDefault("PT1S")
    Duration retryWait();

    /** Attempts before a notification is given up. */
    @WithDefault("8")
    int maxAttempts();

    Slack slack();

    Matrix matrix();

    interface Slack {
        /** A Slack-compatible incoming-webhook URL (Slack, Mattermost, Rocket.Chat). */
        Optional<String> webhookUrl();
    }

    interface Matrix {
        /** The homeserver's client-server API base, e.g. {@code https://matrix.example.org}. */
        Optional<String> homeserverUrl();

        /** The room, e.g. {@code !abc:example.org}. */
        Optional<String> roomId();

        /** The bot user's access token. */
        Optional<String> accessToken();
    }
}
