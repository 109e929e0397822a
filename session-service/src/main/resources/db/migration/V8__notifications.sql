-- Outbound notifications of approvals waiting for a person (Slack-compatible webhooks, Matrix rooms):
-- one row per approval and channel, written by the subscriber of console.session.v1 (a redelivered
-- event finds its row: never a second message), sent after the debounce by whichever replica claims
-- it (an approval decided meanwhile is skipped), retried with backoff, given up after the last attempt.
-- Matrix messages carry the row's transaction id, so a send repeated after a crash is one message.
CREATE TABLE notification (
    approval_id     uuid        NOT NULL REFERENCES approval (id),
    channel         text        NOT NULL CHECK (channel IN ('slack', 'matrix')),
    session_id      uuid        NOT NULL,
    project_id      uuid,
    project_name    text,
    summary         text        NOT NULL,
    risk            text        NOT NULL,
    requested_at    timestamptz NOT NULL,
    state           text        NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'skipped', 'failed')),
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    claimed_until   timestamptz,
    txn_id          uuid        NOT NULL,
    sent_at         timestamptz,
    last_error      text,
    PRIMARY KEY (approval_id, channel)
);
CREATE INDEX notification_due ON notification (next_attempt_at) WHERE state IN ('pending', 'sending');
