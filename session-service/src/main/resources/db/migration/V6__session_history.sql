-- A project's session history lists each session with what it was about (its first operator message)
-- and where its worker ran (the newest worker_state record): both are looked up per session, so the
-- few records they need are indexed by kind. Deltas (nearly all rows) are not in this index.
CREATE INDEX session_event_history ON session_event (session_id, kind, seq)
    WHERE kind IN ('operator_message', 'worker_state', 'item_completed');

-- A stored body as jsonb for searching its values. A body may hold an escaped NUL (\u0000), which
-- jsonb refuses: such a body is searched with U+FFFD in its place; a body that still cannot be read
-- is not searched (never an error for the whole search).
CREATE FUNCTION session_event_json(body text) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    RETURN body::jsonb;
EXCEPTION WHEN others THEN
    BEGIN
        RETURN replace(body, '\u0000', '\ufffd')::jsonb;
    EXCEPTION WHEN others THEN
        RETURN NULL;
    END;
END;
$$;
