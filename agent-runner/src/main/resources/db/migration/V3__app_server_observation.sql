-- The newest listing of a target's durable app-servers, as the host reported it (issue 18 / ADR 0016:
-- a GET answers this stored observation and never logs in to the host; a refresh is a POST).
CREATE TABLE app_server_observation (
    target_id   uuid        PRIMARY KEY,
    observed_at timestamptz NOT NULL,
    observed_by text        NOT NULL,
    listing     jsonb       NOT NULL
);
