-- Files operators attach to a session (ADR 0030): kept here with their digest, announced to the audit
-- (name, type, size, digest only) and handed to the runner, which puts them into the session's working
-- directory on the worker's host and says so on the stream (state follows: sent -> copied | failed).
CREATE TABLE attachment (
    id           uuid        PRIMARY KEY,
    session_id   uuid        NOT NULL REFERENCES session (id),
    name         text        NOT NULL,
    media_type   text        NOT NULL,
    size_bytes   integer     NOT NULL CHECK (size_bytes >= 0),
    sha256       text        NOT NULL,
    content      bytea       NOT NULL,
    uploaded_by  text        NOT NULL,
    uploaded_at  timestamptz NOT NULL,
    state        text        NOT NULL CHECK (state IN ('sent', 'copied', 'failed')),
    path         text,
    detail       text,
    updated_at   timestamptz NOT NULL
);
CREATE INDEX attachment_session ON attachment (session_id, uploaded_at);
