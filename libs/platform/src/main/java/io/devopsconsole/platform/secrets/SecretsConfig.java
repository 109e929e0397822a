package io.devopsconsole.platform.secrets;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;

/** Where secrets live ({@code devops.secrets.*}); see {@link SecretStores}. */
@ConfigMapping(prefix = "devops.secrets")
public interface SecretsConfig {

    /** {@code local} (the embedded default) or {@code vault}. */
    @WithDefault("local")
    String store();

    Local local();

    Vault vault();

    interface Local {
        /** The key file (created mode 600 on first use); default {@code ~/.devops-console/secrets/local.key}. */
        Optional<String> keyFile();

        @WithDefault("secrets")
        String schema();
    }

    interface Vault {
        @WithDefault("secret")
        String mount();

        @WithDefault("devops-console")
        String prefix();
    }
}
