package io.devopsconsole.session;

import io.devopsconsole.testkit.ServiceContract;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class ServiceTest extends ServiceContract {

    @Override
    protected String schema() {
        return "session";
    }
}
