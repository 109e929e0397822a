package io.devopsconsole.agent;

import io.devopsconsole.testkit.KafkaResource;
import io.devopsconsole.testkit.PostgresResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.oidc.server.OidcWiremockTestResource;

/** The real servers every test in this module shares (one application boot for the module), and the test SSH host. */
@QuarkusTestResource(PostgresResource.class)
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(OidcWiremockTestResource.class)
@QuarkusTestResource(SshHostResource.class)
public final class TestInfra {

    private TestInfra() {}
}
