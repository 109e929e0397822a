-- The history and the side panel ask, per live session, whether its newest runner note says the
-- agent-runner driving it was lost: session-service's own notes are few, indexed on their own.
CREATE INDEX session_event_notes ON session_event (session_id, seq) WHERE kind = 'system_note';
