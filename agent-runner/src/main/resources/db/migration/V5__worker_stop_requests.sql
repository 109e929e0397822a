-- A stop asked of an agent-runner replica that does not drive the worker (the front door picks any replica):
-- recorded here, carried out by the runner that drives it at its next tick (within about a second), also
-- after a takeover. Cleared when taken.
ALTER TABLE worker ADD COLUMN stop_requested_by text;
ALTER TABLE worker ADD COLUMN stop_requested_at timestamptz;
CREATE INDEX worker_stop_requested ON worker (runner_instance) WHERE stop_requested_at IS NOT NULL;
