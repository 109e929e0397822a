-- One immutable row per domain event. seq orders the log (newest first = seq DESC) and is the cursor.
CREATE TABLE audit_record (
    seq             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id              uuid        NOT NULL,
    event_id        uuid        NOT NULL,
    event_time      timestamptz NOT NULL,
    recorded_at     timestamptz NOT NULL,
    source          text        NOT NULL,
    type            text        NOT NULL,
    actor           text        NOT NULL,
    action          text        NOT NULL,
    resource_type   text        NOT NULL,
    resource_id     text        NOT NULL,
    resource_name   text,
    session_id      text,
    risk            text,
    summary         text        NOT NULL,
    details         text        NOT NULL,
    topic           text        NOT NULL,
    kafka_partition integer     NOT NULL,
    kafka_offset    bigint      NOT NULL,
    CONSTRAINT audit_record_id_key UNIQUE (id),
    CONSTRAINT audit_record_event_key UNIQUE (event_id)
);
CREATE INDEX audit_record_resource ON audit_record (resource_type, resource_id, seq DESC);
CREATE INDEX audit_record_actor ON audit_record (actor, seq DESC);
CREATE INDEX audit_record_event_time ON audit_record (event_time);

-- Append-only: no path through this schema changes or removes a record.
CREATE FUNCTION audit_record_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit records are append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_record_append_only BEFORE UPDATE OR DELETE ON audit_record
    FOR EACH ROW EXECUTE FUNCTION audit_record_is_append_only();
CREATE TRIGGER audit_record_no_truncate BEFORE TRUNCATE ON audit_record
    FOR EACH STATEMENT EXECUTE FUNCTION audit_record_is_append_only();
