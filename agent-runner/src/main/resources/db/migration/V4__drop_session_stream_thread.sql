-- A worker's thread is kept on its worker row (worker.thread_id, read by the next worker of the
-- session on that target); the session-wide copy here was written and never read.
ALTER TABLE session_stream DROP COLUMN thread_id;
