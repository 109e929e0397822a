-- Shared by every service, created in the service's own schema (Flyway's default schema).

-- Transactional outbox: written in the same transaction as the change it announces.
CREATE TABLE outbox_event (
    seq          bigint GENERATED ALWAYS AS IDENTITY,
    event_id     uuid        PRIMARY KEY,
    topic        text        NOT NULL,
    message_key  text        NOT NULL,
    ce_type      text        NOT NULL,
    ce_source    text        NOT NULL,
    ce_time      timestamptz NOT NULL,
    actor        text        NOT NULL,
    extensions   text        NOT NULL DEFAULT '{}',
    data         bytea       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    sent_at      timestamptz
);
CREATE UNIQUE INDEX outbox_event_seq ON outbox_event (seq);
CREATE INDEX outbox_event_pending ON outbox_event (seq) WHERE sent_at IS NULL;
CREATE INDEX outbox_event_sent_at ON outbox_event (sent_at) WHERE sent_at IS NOT NULL;

-- Wakes the relay the moment an inserting transaction commits (NOTIFY is delivered on commit).
CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify(TG_TABLE_SCHEMA || '_outbox', '');
    RETURN NULL;
END
$$;
CREATE TRIGGER outbox_event_notify AFTER INSERT ON outbox_event
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();

-- Idempotent consumers: one row per (consumer, event id), written with the event's effect.
CREATE TABLE processed_event (
    consumer      text        NOT NULL,
    event_id      uuid        NOT NULL,
    processed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);
