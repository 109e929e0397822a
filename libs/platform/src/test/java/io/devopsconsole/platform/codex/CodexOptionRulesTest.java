package io.devopsconsole.platform.codex;

import static org.assertj.core.api.Assertions.assertThat;

import io.devopsconsole.events.registry.RuntimeProfileState.CodexOptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A model base URL may name any provider, but never a cloud metadata service or a link-local address. */
class CodexOptionRulesTest {

    static CodexOptions withBaseUrl(String url) {
        return new CodexOptions(null, "custom", url, null, null);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "http://169.254.169.254/latest/meta-data",
                "http://169.254.1.1:8080/v1",
                "http://metadata.google.internal/computeMetadata/v1",
                "http://metadata/v1",
                "http://[fe80::1]/v1",
                "http://[fd00:ec2::254]/",
                "http://0.0.0.0:8080/v1",
                "http://instance-data/latest"
            })
    void metadataAndLinkLocalAddressesAreRefused(String url) {
        assertThat(CodexOptionRules.problems(withBaseUrl(url))).containsKey("model_base_url");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "https://api.openai.com/v1",
                "http://127.0.0.1:41234/v1",
                "https://llm.internal.example:8443/v1",
                "http://10.0.0.5:8000/v1",
                "http://[::1]:9000/v1"
            })
    void providersAnywhereElseAreAccepted(String url) {
        assertThat(CodexOptionRules.problems(withBaseUrl(url))).doesNotContainKey("model_base_url");
    }
}
