package io.devopsconsole.console;

import io.smallrye.config.ConfigMapping;

/** Where the services are ({@code devops.console.services.*}): the BFF proxies {@code /api/**} to them. */
@ConfigMapping(prefix = "devops.console")
public interface ConsoleConfig {

    Services services();

    /**
     * How many event streams (SSE) one user may hold open through the console at once; more are
     * answered 429. Streams use their own upstream connections, never the pool API calls use.
     */
    @io.smallrye.config.WithDefault("20")
    int maxStreamsPerUser();

    interface Services {
        String registry();

        String session();

        String agent();

        String onboarding();

        String audit();
    }
}
