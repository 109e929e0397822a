-- The highest runner ownership token (fence) seen on the session's stream: records with a lower
-- one come from a runner that was superseded and are dropped; numbers below the first record of a
-- higher one that never arrived are known to be unused (no gap note).
ALTER TABLE session ADD COLUMN stream_fence bigint NOT NULL DEFAULT 0;

-- Token usage per worker thread (running totals from the runner's token_usage records); a
-- session's usage is the sum over its threads, a project's the sum over its sessions.
CREATE TABLE session_tokens (
    session_id          uuid        NOT NULL REFERENCES session (id),
    thread_key          text        NOT NULL,
    input_tokens        bigint      NOT NULL DEFAULT 0,
    cached_input_tokens bigint      NOT NULL DEFAULT 0,
    output_tokens       bigint      NOT NULL DEFAULT 0,
    total_tokens        bigint      NOT NULL DEFAULT 0,
    updated_at          timestamptz NOT NULL,
    PRIMARY KEY (session_id, thread_key)
);
