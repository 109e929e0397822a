package io.devopsconsole.onboarding;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Settings of onboarding-service ({@code devops.onboarding.*}). */
@ConfigMapping(prefix = "devops.onboarding")
public interface OnboardingConfig {

    /** registry-service's base URL (called with the operator's own token). */
    String registryUrl();

    /** Codex auth material may be imported from files under this directory of the console host only. */
    String authImportDirectory();

    /** How long one install or WireGuard step may run. */
    @WithDefault("PT15M")
    Duration installStepTimeout();

    /** After {@code wg-quick up}, how long to wait for a peer handshake and received bytes before rolling back. */
    @WithDefault("PT10S")
    Duration wireguardHandshakeWait();

    Ssh ssh();

    interface Ssh {
        /** The control-plane SSH identity (private key file). */
        String identityFile();

        @WithDefault("PT10S")
        Duration connectTimeout();
    }
}
