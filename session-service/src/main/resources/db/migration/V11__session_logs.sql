-- The console's own log records about each session (ADR 0031): shipped by every service that acts for
-- sessions over console.session.logs.v1, kept here for admins, the newest few thousand per session.
-- Text columns hold the stored form (NUL and lone surrogates escaped); secrets were redacted by the sender.
CREATE TABLE session_log (
    id          bigserial   PRIMARY KEY,
    session_id  uuid        NOT NULL REFERENCES session (id),
    at          timestamptz NOT NULL,
    service     text        NOT NULL,
    instance    text        NOT NULL,
    sequence    bigint      NOT NULL,
    level       text        NOT NULL CHECK (level IN ('DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL')),
    logger      text        NOT NULL,
    message     text        NOT NULL,
    thrown      text,
    trace_id    text,
    received_at timestamptz NOT NULL DEFAULT now()
);
-- a record delivered again (a restart, a rebalance) is kept once
CREATE UNIQUE INDEX session_log_once ON session_log (session_id, instance, sequence);
CREATE INDEX session_log_session ON session_log (session_id, id);
