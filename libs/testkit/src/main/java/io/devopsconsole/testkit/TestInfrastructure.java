package io.devopsconsole.testkit;

/**
 * The real servers a module's tests share: one PostgreSQL and one Kafka broker per test JVM,
 * started on first use and stopped when the JVM exits.
 */
public final class TestInfrastructure {

    private static PostgresServer postgres;
    private static KafkaBroker kafka;

    private TestInfrastructure() {}

    public static synchronized PostgresServer postgres() {
        if (postgres == null) {
            postgres = PostgresServer.startForTests();
            Runtime.getRuntime().addShutdownHook(new Thread(postgres::stop));
        }
        return postgres;
    }

    public static synchronized KafkaBroker kafka() {
        if (kafka == null) {
            kafka = KafkaBroker.ephemeral();
            kafka.start();
            KafkaBroker started = kafka;
            Runtime.getRuntime().addShutdownHook(new Thread(started::stop));
        }
        return kafka;
    }
}
