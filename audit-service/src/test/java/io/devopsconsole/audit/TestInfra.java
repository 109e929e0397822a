package io.devopsconsole.audit;

import io.devopsconsole.testkit.KafkaResource;
import io.devopsconsole.testkit.PostgresResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.oidc.server.OidcWiremockTestResource;

/**
 * The real servers every test in this module shares (one application boot for the module). The
 * service connects as the unprivileged runtime role, as deployed; tests read and tamper through
 * the owner's connection (testkit Sql).
 */
@QuarkusTestResource(
        value = PostgresResource.class,
        initArgs = @ResourceArg(name = "runtime-user", value = TestInfra.RUNTIME_ROLE))
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(OidcWiremockTestResource.class)
public final class TestInfra {

    public static final String RUNTIME_ROLE = "audit_writer";

    private TestInfra() {}
}
