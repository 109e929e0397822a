package io.devopsconsole.platform.logging;

import static org.assertj.core.api.Assertions.assertThat;

import io.devopsconsole.events.logs.SessionLogged;
import io.devopsconsole.platform.text.StoredText;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.logging.Level;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the handler ships: a session's records only, at the level asked, redacted, clipped, never blocking. */
class SessionLogHandlerTest {

    static final UUID SESSION = UUID.fromString("a1b2c3d4-0005-4e6f-8a9b-0c1d2e3f4a5b");

    private final BlockingQueue<SessionLogged> queue = new ArrayBlockingQueue<>(4);
    private final Losses losses = new Losses();
    private final SessionLogHandler handler =
            new SessionLogHandler("agent-runner", "host:1", Level.INFO, 200, queue, losses);
    private final java.util.logging.Logger jul = java.util.logging.Logger.getLogger("session-log-test");
    private final Logger log = Logger.getLogger("session-log-test");

    @BeforeEach
    void attach() {
        jul.addHandler(handler);
        jul.setLevel(Level.ALL);
    }

    @AfterEach
    void detach() {
        jul.removeHandler(handler);
        MDC.remove(SessionLogs.KEY);
    }

    private List<SessionLogged> shipped() {
        List<SessionLogged> out = new ArrayList<>();
        queue.drainTo(out);
        return out;
    }

    @Test
    void onlyWhatIsLoggedForASessionAtOrAboveTheLevelIsShipped() {
        log.info("not about a session");
        SessionLogs.run(SESSION, () -> {
            log.debug("below the level");
            log.infof("session %s: worker %s ready on %s", SESSION, "w1", "web-3");
        });
        SessionLogs.warn(log, SESSION, "session %s: the worker on %s went silent", SESSION, "web-3");
        log.info("after the step: not the session's");

        List<SessionLogged> out = shipped();
        assertThat(out)
                .extracting(SessionLogged::message)
                .containsExactly(
                        "session " + SESSION + ": worker w1 ready on web-3",
                        "session " + SESSION + ": the worker on web-3 went silent");
        assertThat(out).extracting(SessionLogged::level).containsExactly("INFO", "WARN");
        assertThat(out).allSatisfy(e -> {
            assertThat(e.sessionId()).isEqualTo(SESSION);
            assertThat(e.service()).isEqualTo("agent-runner");
            assertThat(e.instance()).isEqualTo("host:1");
            assertThat(e.logger()).isEqualTo("session-log-test");
        });
        assertThat(out.get(1).sequence()).isGreaterThan(out.get(0).sequence());
        assertThat(MDC.get(SessionLogs.KEY)).isNull();
    }

    /** One vocabulary of levels (the contract's), whoever names them: the setting, a logger, a reader. */
    @Test
    void levelsAreReadInTheContractsWordsFromEitherVocabulary() {
        assertThat(SessionLogged.levelOf(" warning ")).isEqualTo("WARN");
        assertThat(SessionLogged.levelOf("SEVERE")).isEqualTo("ERROR");
        assertThat(SessionLogged.levelOf("finest")).isEqualTo("DEBUG");
        assertThat(SessionLogged.levelOf("Fatal")).isEqualTo("FATAL");
        assertThat(SessionLogged.levelOf("loud")).isNull();
        assertThat(SessionLogHandler.parse("warn")).isEqualTo(Level.WARNING);
        assertThat(SessionLogHandler.parse("FINE")).isEqualTo(Level.FINE);
        assertThat(SessionLogHandler.parse("fatal")).isEqualTo(Level.SEVERE);
        assertThat(SessionLogHandler.level(Level.WARNING)).isEqualTo("WARN");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SessionLogHandler.parse("loud"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("loud");
    }

    @Test
    void anEnclosingSessionMarkIsRestoredAfterAnInnerOne() {
        UUID other = UUID.randomUUID();
        SessionLogs.run(SESSION, () -> {
            SessionLogs.info(log, other, "about the other session");
            log.info("about the first again");
        });
        assertThat(shipped()).extracting(SessionLogged::sessionId).containsExactly(other, SESSION);
    }

    @Test
    void secretsAreRedactedAndTextIsKeptInItsStoredForm() {
        String jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJvbGdhIn0.c2lnbmF0dXJlc2lnbmF0dXJl";
        SessionLogs.run(
                SESSION,
                () -> log.errorf(
                        new IllegalStateException("refused: Authorization: Bearer " + jwt),
                        "login with password=hunter2hunter2 failed; \u0000 and a lone \ud800 and \u202e"));
        SessionLogged e = shipped().get(0);
        assertThat(e.level()).isEqualTo("ERROR");
        assertThat(e.message()).doesNotContain("hunter2").contains("[REDACTED]");
        assertThat(e.message()).doesNotContain("\u0000").doesNotContain("\ud800");
        assertThat(StoredText.decode(e.message())).contains("\u0000 and a lone \ud800 and \u202e");
        assertThat(e.thrown())
                .startsWith("java.lang.IllegalStateException: refused: Authorization: [REDACTED]")
                .doesNotContain(jwt)
                .contains("\n\tat ");
    }

    @Test
    void aMegabyteMessageIsClippedWithoutSplittingACharacter() {
        String big = "x".repeat(199) + "\ud83d\ude00" + "y".repeat(1_000_000);
        SessionLogs.info(log, SESSION, "%s", big);
        String message = shipped().get(0).message();
        assertThat(message).hasSize(200).endsWith("x…");
    }

    @Test
    void aFullQueueDropsAndCountsPerSessionWithoutBlocking() {
        long started = System.nanoTime();
        for (int i = 0; i < 10; i++) {
            SessionLogs.info(log, SESSION, "record %d", i);
        }
        assertThat(System.nanoTime() - started).isLessThan(2_000_000_000L);
        assertThat(shipped()).hasSize(4);
        assertThat(losses.take(SESSION)).isEqualTo(6);
        assertThat(losses.take(SESSION)).isZero();
        assertThat(losses.total.get()).isEqualTo(6);
        SessionLogged said = SessionLogShipper.withLoss(
                new SessionLogged(SESSION, null, "agent-runner", "host:1", 9, "INFO", "l", "next", null, null), 6);
        assertThat(said.message())
                .startsWith("(6 earlier records of this session from host:1 not shipped")
                .endsWith("next");
    }

    @Test
    void levelsAreSaidInTheServicesWords() {
        assertThat(SessionLogHandler.level(Level.WARNING)).isEqualTo("WARN");
        assertThat(SessionLogHandler.level(Level.SEVERE)).isEqualTo("ERROR");
        assertThat(SessionLogHandler.level(org.jboss.logmanager.Level.FATAL)).isEqualTo("FATAL");
        assertThat(SessionLogHandler.level(Level.FINE)).isEqualTo("DEBUG");
        assertThat(SessionLogHandler.parse("warn")).isEqualTo(Level.WARNING);
        assertThat(new ExtLogRecord(org.jboss.logmanager.Level.WARN, "m", "c")
                        .getLevel()
                        .intValue())
                .isEqualTo(Level.WARNING.intValue());
    }
}
