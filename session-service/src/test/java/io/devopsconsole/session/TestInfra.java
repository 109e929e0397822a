package io.devopsconsole.session;

import io.devopsconsole.testkit.KafkaResource;
import io.devopsconsole.testkit.PostgresResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.oidc.server.OidcWiremockTestResource;

/** The real servers every test in this module shares (one application boot for the module). */
@QuarkusTestResource(PostgresResource.class)
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(OidcWiremockTestResource.class)
@QuarkusTestResource(io.devopsconsole.session.coordinator.CoordinatorCodexResource.class)
@QuarkusTestResource(io.devopsconsole.session.notify.ChatDoubles.class)
public final class TestInfra {

    private TestInfra() {}
}
