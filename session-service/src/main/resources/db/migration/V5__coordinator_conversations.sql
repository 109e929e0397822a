-- The coordinator's conversations (ADR 0026): one per operator, stored as a transcript of kind
-- 'coordinator' beside the project sessions, so it has the same gap-free seq, storage and SSE cursor.
-- It belongs to no project; project-session reads and writes never see it.
ALTER TABLE session ADD COLUMN kind text NOT NULL DEFAULT 'project' CHECK (kind IN ('project', 'coordinator'));
ALTER TABLE session ALTER COLUMN project_id DROP NOT NULL;
ALTER TABLE session ADD CONSTRAINT session_project_kind CHECK ((kind = 'project') = (project_id IS NOT NULL));
-- the codex thread the conversation continues (server-owned by the coordinator's app-server) and the
-- onboarding run the conversation is about ("go on" resolves to it)
ALTER TABLE session ADD COLUMN coordinator_thread text;
ALTER TABLE session ADD COLUMN coordinator_run uuid;
CREATE UNIQUE INDEX session_one_conversation_per_operator ON session (started_by) WHERE kind = 'coordinator';

-- A risky operation the coordinator proposed: it runs only after the operator types the phrase (or
-- presses Confirm on the card), at most once, and not after it expires. The arguments were validated
-- when it was proposed and are validated again by the API that runs it.
CREATE TABLE coordinator_proposal (
    id               uuid        PRIMARY KEY,
    conversation_id  uuid        NOT NULL REFERENCES session (id),
    tool             text        NOT NULL,
    arguments        text        NOT NULL,
    summary          text        NOT NULL,
    phrase           text        NOT NULL,
    state            text        NOT NULL CHECK (state IN ('pending', 'confirmed', 'cancelled', 'expired')),
    proposed_by      text        NOT NULL,
    proposed_at      timestamptz NOT NULL,
    expires_at       timestamptz NOT NULL,
    decided_at       timestamptz,
    decided_by       text,
    outcome          text
);
CREATE INDEX coordinator_proposal_pending ON coordinator_proposal (conversation_id) WHERE state = 'pending';
