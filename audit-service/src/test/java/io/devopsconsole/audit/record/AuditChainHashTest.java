package io.devopsconsole.audit.record;

import org.junit.jupiter.api.Test;

import java.time.OffsetDateTime;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The canonical form is a stored contract: every hash already in a chain was computed with it, so
 * any change to how it is built must give the same bytes. These values were computed when the
 * chain was introduced.
 */
class AuditChainHashTest {

    static AuditRecord sample(String resourceName, Integer partition, Long offset) {
        return new AuditRecord(UUID.fromString("6f1c3e9a-2b7d-4c1e-9a55-0d2f6b8e4c31"),
                OffsetDateTime.parse("2026-11-22T01:02:03.456789+02:00"), OffsetDateTime.parse("2026-11-22T00:00:00Z"),
                "/registry-service", "io.devopsconsole.registry.project.created.v1", "olga", "project.created", "project",
                "a2c4", resourceName, null, "low", "olga created project \"Ünïcode\" \u2028 <tab>\t", "{\"k\":[1,null]}",
                false, "console.registry.v1", partition, offset);
    }

    @Test
    void theCanonicalFormIsStable() {
        assertThat(AuditChain.hash(sample("Shop", 2, 41L), AuditChain.GENESIS)).isEqualTo("5a555f5bed83ada11edc84c0ed2d84a2bb6d521c0cff0e1cd95d07395a9ad747");
        assertThat(AuditChain.hash(sample(null, null, null), "ab".repeat(32))).isEqualTo("757eb42c99dca3e179dc30cc727d152f36ec40d06d047cbd523dba4e74f2317a");
    }
}
