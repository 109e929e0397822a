-- What session-service knows of projects (from console.registry.v1), for context digests.
CREATE TABLE project_view (
    id                        uuid        PRIMARY KEY,
    slug                      text        NOT NULL,
    name                      text        NOT NULL,
    description               text,
    default_working_directory text        NOT NULL,
    archived                  boolean     NOT NULL DEFAULT false,
    version                   bigint      NOT NULL,
    updated_at                timestamptz NOT NULL
);

-- Runtime-profile bindings per project (their events may arrive before the project's).
CREATE TABLE project_bindings_view (
    project_id  uuid        PRIMARY KEY,
    bindings    text        NOT NULL,
    updated_at  timestamptz NOT NULL
);

-- Project-start handoff packages: what an operator asked to start, and what they were told.
CREATE TABLE handoff (
    id               uuid        PRIMARY KEY,
    project_id       uuid        NOT NULL,
    intent           text        NOT NULL,
    requested_by     text        NOT NULL,
    status           text        NOT NULL CHECK (status IN ('ready', 'operator_decision_required', 'started')),
    live_session_id  uuid,
    started_session  uuid,
    package          text        NOT NULL,
    created_at       timestamptz NOT NULL,
    version          bigint      NOT NULL DEFAULT 0
);
CREATE INDEX handoff_project ON handoff (project_id, created_at DESC);
