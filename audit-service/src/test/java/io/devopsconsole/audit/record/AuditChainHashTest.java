package io.devopsconsole.audit.record;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.OffsetDateTime;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The canonical form is a stored contract: every hash already in a chain was computed with it, so
 * any change to how it is built must give the same bytes. These values were computed when the
 * chain was introduced.
 */
class AuditChainHashTest {

    static AuditRecord sample(String resourceName, Integer partition, Long offset) {
        return new AuditRecord(
                UUID.fromString("6f1c3e9a-2b7d-4c1e-9a55-0d2f6b8e4c31"),
                OffsetDateTime.parse("2026-11-22T01:02:03.456789+02:00"),
                OffsetDateTime.parse("2026-11-22T00:00:00Z"),
                "/registry-service",
                "io.devopsconsole.registry.project.created.v1",
                "olga",
                "project.created",
                "project",
                "a2c4",
                resourceName,
                null,
                "low",
                "olga created project \"Ünïcode\" \u2028 <tab>\t",
                "{\"k\":[1,null]}",
                false,
                "console.registry.v1",
                partition,
                offset);
    }

    static final UUID ID = UUID.fromString("0b7e2d4c-9a1f-4e3b-8c6d-5f2a1e0d9c8b");

    @Test
    void theCanonicalFormIsStable() {
        assertThat(AuditChain.hash(sample("Shop", 2, 41L).as(ID, (short) 1), AuditChain.GENESIS))
                .isEqualTo("5a555f5bed83ada11edc84c0ed2d84a2bb6d521c0cff0e1cd95d07395a9ad747");
        assertThat(AuditChain.hash(sample(null, null, null).as(ID, (short) 1), "ab".repeat(32)))
                .isEqualTo("757eb42c99dca3e179dc30cc727d152f36ec40d06d047cbd523dba4e74f2317a");
    }

    @Test
    void formTwoIsStableAndCoversTheIdTheRedactionAndTheReportedClaims() {
        AuditRecord record = sample("Shop", 2, 41L).as(ID, (short) 2);
        String hash = AuditChain.hash(record, AuditChain.GENESIS);
        assertThat(hash).isEqualTo(FORM_TWO);
        // form 1 left these out: each changes the hash now
        assertThat(AuditChain.hash(sample("Shop", 2, 41L).as(UUID.randomUUID(), (short) 2), AuditChain.GENESIS))
                .isNotEqualTo(hash);
        assertThat(AuditChain.hash(redacted().as(ID, (short) 2), AuditChain.GENESIS))
                .isNotEqualTo(hash);
        assertThat(AuditChain.hash(reported("{\"source\":\"/ci\"}").as(ID, (short) 2), AuditChain.GENESIS))
                .isNotEqualTo(hash);
        assertThat(AuditChain.hash(sample("Shop", 2, 41L).as(ID, (short) 1), AuditChain.GENESIS))
                .isNotEqualTo(hash);
    }

    @Test
    void newRecordsAreHashedInFormTwo() {
        assertThat(sample("Shop", 2, 41L).hashVersion())
                .isEqualTo(AuditChain.VERSION)
                .isEqualTo((short) 2);
    }

    /** Computed when form 2 was introduced; every form-2 hash in a chain depends on these bytes. */
    static final String FORM_TWO = "e66cdae9c23825e90993c3f0f553fa37adeb035e9ba00c4763e1258f24b002ae";

    static AuditRecord redacted() {
        return new AuditRecord(
                UUID.fromString("6f1c3e9a-2b7d-4c1e-9a55-0d2f6b8e4c31"),
                OffsetDateTime.parse("2026-11-22T01:02:03.456789+02:00"),
                OffsetDateTime.parse("2026-11-22T00:00:00Z"),
                "/registry-service",
                "io.devopsconsole.registry.project.created.v1",
                "olga",
                "project.created",
                "project",
                "a2c4",
                "Shop",
                null,
                "low",
                "olga created project \"Ünïcode\" \u2028 <tab>\t",
                "{\"k\":[1,null]}",
                true,
                "console.registry.v1",
                2,
                41L);
    }

    static AuditRecord reported(String claims) {
        return new AuditRecord(
                UUID.fromString("6f1c3e9a-2b7d-4c1e-9a55-0d2f6b8e4c31"),
                OffsetDateTime.parse("2026-11-22T01:02:03.456789+02:00"),
                OffsetDateTime.parse("2026-11-22T00:00:00Z"),
                "/registry-service",
                "io.devopsconsole.registry.project.created.v1",
                "olga",
                "project.created",
                "project",
                "a2c4",
                "Shop",
                null,
                "low",
                "olga created project \"Ünïcode\" \u2028 <tab>\t",
                "{\"k\":[1,null]}",
                false,
                "console.registry.v1",
                2,
                41L,
                claims);
    }
}
