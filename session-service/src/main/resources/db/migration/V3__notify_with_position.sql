-- The commit notification names the newest seq per session ("<session id>:<seq>"), so a replica
-- that already delivered those events (it stored them itself) need not read them back.
CREATE OR REPLACE FUNCTION session_event_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify(TG_TABLE_SCHEMA || '_events', s.session_id::text || ':' || s.last_seq)
       FROM (SELECT session_id, max(seq) AS last_seq FROM new_events GROUP BY session_id) s;
    RETURN NULL;
END
$$;
