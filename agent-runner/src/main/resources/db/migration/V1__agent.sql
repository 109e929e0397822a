-- agent-runner: what it knows of targets and runtime profiles (a projection of console.registry.v1),
-- its workers, and each session's stream position.

CREATE TABLE target_view (
    id                   uuid        PRIMARY KEY,
    name                 text        NOT NULL,
    host                 text        NOT NULL,
    port                 integer     NOT NULL,
    username             text        NOT NULL,
    environment          text        NOT NULL,
    key_source           text        NOT NULL,
    key_reference        text,
    host_key_fingerprint text,
    -- the trusted public key itself ("<type> <base64>"), from HostKeyTrusted; kept only while the fingerprint matches
    host_public_key      text,
    codex_status         text        NOT NULL,
    retired              boolean     NOT NULL DEFAULT false,
    removed              boolean     NOT NULL DEFAULT false,
    version              bigint      NOT NULL,
    updated_at           timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE profile_view (
    project_id   uuid        PRIMARY KEY,
    profile_id   uuid        NOT NULL,
    bindings     jsonb       NOT NULL,
    codex        jsonb       NOT NULL,
    deleted      boolean     NOT NULL DEFAULT false,
    version      bigint      NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- One worker: a codex app-server this runner started for a session on a target.
CREATE TABLE worker (
    id                 uuid        PRIMARY KEY,
    session_id         uuid        NOT NULL,
    project_id         uuid        NOT NULL,
    target_id          uuid        NOT NULL,
    target_name        text        NOT NULL,
    working_directory  text        NOT NULL,
    transport          text        NOT NULL CHECK (transport IN ('stdio')),
    thread_id          text,
    state              text        NOT NULL CHECK (state IN ('starting', 'ready', 'busy', 'lost', 'stopping', 'stopped', 'failed')),
    current_turn_id    text,
    message            text,
    runner_instance    text        NOT NULL,
    started_at         timestamptz NOT NULL,
    last_activity_at   timestamptz NOT NULL,
    stopped_at         timestamptz
);
-- at most one live worker per session and target
CREATE UNIQUE INDEX worker_live ON worker (session_id, target_id) WHERE state NOT IN ('stopped', 'failed', 'lost');
CREATE INDEX worker_session ON worker (session_id, started_at DESC);

-- A session's place in the stream: the last stream_seq reserved. Records take numbers from a
-- reserved block; a runner that dies leaves at most the rest of its block unused (session-service
-- reports that gap after its timeout), never a number used twice.
CREATE TABLE session_stream (
    session_id     uuid    PRIMARY KEY,
    reserved_through bigint NOT NULL,
    thread_id      text
);
