-- A project's live session and its transcript.
CREATE TABLE session (
    id               uuid        PRIMARY KEY,
    project_id       uuid        NOT NULL,
    state            text        NOT NULL CHECK (state IN ('requested', 'starting', 'active', 'waiting_approval', 'idle',
                                                           'stopping', 'stopped', 'failed')),
    started_by       text        NOT NULL,
    approval_policy  text        NOT NULL DEFAULT 'manual' CHECK (approval_policy IN ('manual', 'auto_approve_benign')),
    turn_operator    text,
    state_reason     text,
    -- transcript position (seq of the newest event) and the runner's stream position stored so far;
    -- advanced only by the statement that allocates them (never by the ORM)
    last_seq         bigint      NOT NULL DEFAULT 0,
    last_stream_seq  bigint      NOT NULL DEFAULT 0,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    ended_at         timestamptz,
    version          bigint      NOT NULL DEFAULT 0
);
-- At most one non-final session per project, whatever races the API sees.
CREATE UNIQUE INDEX session_one_live_per_project ON session (project_id) WHERE state NOT IN ('stopped', 'failed');
CREATE INDEX session_project ON session (project_id, created_at DESC);

-- The transcript: one row per event, seq per session without gaps, assigned in the storing transaction.
CREATE TABLE session_event (
    session_id  uuid        NOT NULL REFERENCES session (id),
    seq         bigint      NOT NULL,
    id          uuid        NOT NULL,
    kind        text        NOT NULL,
    actor       text,
    turn_id     text,
    item_id     text,
    target_id   uuid,
    stream_seq  bigint,
    body        text        NOT NULL,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (session_id, seq),
    CONSTRAINT session_event_id_key UNIQUE (id)
);
CREATE UNIQUE INDEX session_event_stream ON session_event (session_id, stream_seq) WHERE stream_seq IS NOT NULL;

-- Wakes every replica's SSE hub when a transaction that stored events commits (payload: session id).
CREATE FUNCTION session_event_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify(TG_TABLE_SCHEMA || '_events', s.session_id::text)
       FROM (SELECT DISTINCT session_id FROM new_events) s;
    RETURN NULL;
END
$$;
CREATE TRIGGER session_event_notify AFTER INSERT ON session_event
    REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION session_event_notify();

-- Approvals the agent asked for.
CREATE TABLE approval (
    id               uuid        PRIMARY KEY,
    session_id       uuid        NOT NULL REFERENCES session (id),
    request_id       text        NOT NULL,
    kind             text        NOT NULL CHECK (kind IN ('command', 'file_change')),
    summary          text        NOT NULL,
    command          text,
    cwd              text,
    reason           text,
    risk             text        NOT NULL,
    turn_id          text,
    target_id        uuid,
    state            text        NOT NULL CHECK (state IN ('pending', 'approved', 'denied', 'expired')),
    requested_at     timestamptz NOT NULL,
    expires_at       timestamptz NOT NULL,
    decided_at       timestamptz,
    decided_by       text,
    automatic        boolean     NOT NULL DEFAULT false,
    decision_reason  text,
    version          bigint      NOT NULL DEFAULT 0,
    CONSTRAINT approval_request_key UNIQUE (session_id, request_id)
);
CREATE INDEX approval_session ON approval (session_id, requested_at DESC);
CREATE INDEX approval_pending ON approval (expires_at) WHERE state = 'pending';

-- What the agent ran, built from the stream.
CREATE TABLE command_audit (
    id            uuid        PRIMARY KEY,
    session_id    uuid        NOT NULL REFERENCES session (id),
    turn_id       text,
    item_id       text        NOT NULL,
    target_id     uuid,
    command       text        NOT NULL,
    cwd           text,
    exit_code     integer,
    duration_ms   bigint,
    output_tail   text,
    approval_id   uuid        REFERENCES approval (id),
    started_at    timestamptz,
    completed_at  timestamptz NOT NULL,
    CONSTRAINT command_audit_item_key UNIQUE (session_id, item_id)
);
CREATE INDEX command_audit_session ON command_audit (session_id, completed_at DESC);

-- Stream records that arrived ahead of a missing one wait here (durably: their Kafka offsets are
-- committed) until the gap fills or the gap timeout passes.
CREATE TABLE stream_parked (
    session_id   uuid        NOT NULL REFERENCES session (id),
    stream_seq   bigint      NOT NULL,
    record       text        NOT NULL,
    parked_at    timestamptz NOT NULL,
    PRIMARY KEY (session_id, stream_seq)
);
