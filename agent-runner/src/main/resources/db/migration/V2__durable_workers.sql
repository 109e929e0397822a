-- Workers that outlive their relay (ADR 0010): the durable transport, ownership fencing,
-- recorded approval decisions and handled commands.

ALTER TABLE worker DROP CONSTRAINT worker_transport_check;
ALTER TABLE worker ADD CONSTRAINT worker_transport_check CHECK (transport IN ('stdio', 'durable'));
ALTER TABLE worker DROP CONSTRAINT worker_state_check;
-- detached: the runner's connection is gone but the app-server still runs on the host (durable only)
ALTER TABLE worker ADD CONSTRAINT worker_state_check
    CHECK (state IN ('starting', 'ready', 'busy', 'detached', 'lost', 'stopping', 'stopped', 'failed'));
-- the durable app-server's key on the host (names its socket, pid and log files)
ALTER TABLE worker ADD COLUMN server_key text;
-- the ownership token of the runner that drives it (see session_stream.fence)
ALTER TABLE worker ADD COLUMN fence bigint NOT NULL DEFAULT 0;
ALTER TABLE worker ADD COLUMN heartbeat_at timestamptz;
-- tokens the worker's thread used so far (from thread/tokenUsage/updated)
ALTER TABLE worker ADD COLUMN total_tokens bigint NOT NULL DEFAULT 0;
CREATE INDEX worker_live_by_session ON worker (session_id) WHERE state NOT IN ('stopped', 'failed', 'lost');

-- The session's ownership token: a runner that takes a session (first command, rebalance, restart)
-- increments it; stream blocks are reserved, and worker rows written, only under the current token.
ALTER TABLE session_stream ADD COLUMN fence bigint NOT NULL DEFAULT 0;
ALTER TABLE session_stream ADD COLUMN owner text;

-- The operator's decision on an approval, recorded when it arrives: an app-server that asks again
-- after a reattach is answered from here, once.
CREATE TABLE approval_decision (
    session_id   uuid        NOT NULL,
    request_key  text        NOT NULL,
    decision     text        NOT NULL CHECK (decision IN ('approved', 'denied')),
    decided_by   text        NOT NULL,
    answered     boolean     NOT NULL DEFAULT false,
    decided_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (session_id, request_key)
);

-- Commands already carried out (by CloudEvent id): a command redelivered to a new owner after a
-- rebalance is not carried out twice.
CREATE TABLE command_done (
    event_id    uuid        PRIMARY KEY,
    session_id  uuid        NOT NULL,
    done_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX command_done_age ON command_done (done_at);
