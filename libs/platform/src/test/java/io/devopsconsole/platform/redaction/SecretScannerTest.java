package io.devopsconsole.platform.redaction;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SecretScannerTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @ValueSource(
            strings = {
                "password",
                "db_password",
                "PASSWD",
                "passphrase",
                "secret",
                "client_secret",
                "token",
                "api_key",
                "apiKey",
                "access-key",
                "private_key",
                "credentials",
                "authorization",
                "Cookie",
                "refresh_token",
                "id_token",
                "OPENAI_API_KEY",
                "auth_token",
                "session_token",
                "aws.secret"
            })
    void secretKeys(String key) {
        assertThat(SecretScanner.isSecretKey(key)).as(key).isTrue();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "name",
                "public_key",
                "key_reference",
                "host_key_fingerprint",
                "fingerprint_sha256",
                "secrets_count_total_x",
                "description",
                "tokenizer_model",
                "keyType"
            })
    void ordinaryKeys(String key) {
        // "secrets_count_total_x" and "tokenizer_model" contain a secret word only inside a longer word
        assertThat(SecretScanner.isSecretKey(key)).as(key).isFalse();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----",
                "-----BEGIN RSA PRIVATE KEY-----",
                "Authorization: Bearer abcdef0123456789xyz",
                "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJvbGdhIn0.c2lnbmF0dXJlLXZhbHVl",
                "AKIAABCDEFGHIJKLMNOP",
                "sk-proj-abcdefghijklmnopqrstuvwxyz012345",
                "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
                "postgres://app:hunter2@db.internal/app",
                "{\"OPENAI_API_KEY\": \"x\"}",
                "password=hunter22",
                "xoxb-1234567890-abcdef"
            })
    void secretValues(String value) {
        assertThat(SecretScanner.hasSecretValue(value)).as(value).isTrue();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/srv/projects/payments",
                "SHA256:Qm9ndXNGaW5nZXJwcmludEZvclRlc3RzT25seTAwMDA",
                "AAAAC3NzaC1lZDI1NTE5AAAAIPlaceholderPublicKey",
                "vault:ssh/targets/web-1",
                "https://example.com/path",
                "the token bucket refills",
                "olga created project web"
            })
    void ordinaryValues(String value) {
        assertThat(SecretScanner.hasSecretValue(value)).as(value).isFalse();
    }

    @Test
    void redactionReplacesSecretsAndSaysWhere() throws Exception {
        JsonNode in = JSON.readTree(
                "{\"name\":\"web\",\"env\":[{\"k\":\"X\",\"value\":\"Bearer abcdefghijklmnop\"}],"
                        + "\"db\":{\"password\":\"hunter2\",\"host\":\"db\"},\"note\":\"key -----BEGIN EC PRIVATE KEY----- x\"}");
        SecretScanner.Redacted out = SecretScanner.redact(in);
        assertThat(out.paths()).containsExactlyInAnyOrder("env[0].value", "db.password", "note");
        String text = JSON.writeValueAsString(out.json());
        assertThat(text)
                .doesNotContain("hunter2")
                .doesNotContain("abcdefghijklmnop")
                .doesNotContain("BEGIN EC PRIVATE");
        assertThat(out.json().path("name").asText()).isEqualTo("web");
        assertThat(out.json().path("db").path("host").asText()).isEqualTo("db");
        assertThat(SecretScanner.findings(in, "details"))
                .containsExactlyInAnyOrder("details.env[0].value", "details.db.password", "details.note");
    }
}
