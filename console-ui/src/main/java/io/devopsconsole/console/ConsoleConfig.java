package io.devopsconsole.console;

import io.smallrye.config.ConfigMapping;

/** Where the services are ({@code devops.console.services.*}): the BFF proxies {@code /api/**} to them. */
@ConfigMapping(prefix = "devops.console")
public interface ConsoleConfig {

    Services services();

    interface Services {
        String registry();

        String session();

        String agent();

        String onboarding();

        String audit();
    }
}
