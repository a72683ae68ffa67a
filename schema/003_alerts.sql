-- Alert delivery: the durable outbox, per-sink deliveries and the messages that carry them,
-- suppression rules, muted certificates and the dispatcher's own state. Times are Unix
-- milliseconds. See docs/alerts.md.
--
-- Life of an alert:
--   findings ──(trigger, same transaction)──► alert_outbox
--   alert_outbox ──(fan-out: one transaction)──► alert_deliveries (one per matching sink)
--   alert_deliveries ──(compose: one transaction)──► alert_messages (a finding or a digest)
--   alert_messages ──(send, retried with backoff)──► delivered | failed + delivery_failed

-- One row per finding not yet fanned out. The trigger writes it in the transaction that
-- inserts the finding, whichever code path does that: a committed finding always has either
-- an outbox row or its deliveries.
CREATE TABLE alert_outbox (
  finding_id INTEGER PRIMARY KEY,
  created_at INTEGER NOT NULL
);

CREATE TRIGGER findings_alert_outbox AFTER INSERT ON findings
BEGIN
  INSERT INTO alert_outbox (finding_id, created_at) VALUES (NEW.id, NEW.created_at);
END;

-- What one sink sends: a single finding, a digest of several, a health summary or a test.
-- The idempotency key is chosen when the row is written and sent with every attempt, so a
-- message delivered twice (a crash between sending and recording) carries the same key.
CREATE TABLE alert_messages (
  id              INTEGER PRIMARY KEY,
  sink            TEXT NOT NULL,
  idempotency_key TEXT NOT NULL UNIQUE,
  kind            TEXT NOT NULL CHECK (kind IN ('finding', 'digest', 'summary', 'test')),
  state           TEXT NOT NULL DEFAULT 'pending'
                  CHECK (state IN ('pending', 'delivered', 'failed')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  give_up_at      INTEGER NOT NULL,
  payload         TEXT,                 -- summary text (kind 'summary' and 'test')
  last_error      TEXT,
  created_at      INTEGER NOT NULL,
  delivered_at    INTEGER
);
CREATE INDEX alert_messages_due ON alert_messages (sink, state, next_attempt_at);

-- One row per (finding, sink whose filters match). 'queued' waits for a message (rate limit,
-- digest interval); 'sent' belongs to message_id; 'suppressed' was stopped by a suppression
-- rule, an acknowledged finding or a muted certificate (note says which).
-- A finding is fanned out once (its outbox row is deleted in the same transaction), so
-- (finding_id, sink) is unique without an index to enforce it; the indexes are partial to
-- keep the writes per delivery few during a storm.
CREATE TABLE alert_deliveries (
  id         INTEGER PRIMARY KEY,
  finding_id INTEGER NOT NULL,
  sink       TEXT NOT NULL,
  state      TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'suppressed')),
  message_id INTEGER REFERENCES alert_messages (id),
  note       TEXT,
  created_at INTEGER NOT NULL
);
CREATE INDEX alert_deliveries_queued ON alert_deliveries (sink, id) WHERE state = 'queued';
CREATE INDEX alert_deliveries_by_message ON alert_deliveries (message_id)
  WHERE message_id IS NOT NULL;

-- Suppression rules: stop alerts (the finding is still recorded) for a name, every name
-- matching a glob pattern, or every certificate from an issuer key, until expires_at.
CREATE TABLE alert_suppressions (
  id         INTEGER PRIMARY KEY,
  match      TEXT NOT NULL CHECK (match IN ('name', 'pattern', 'issuer_key')),
  value      TEXT NOT NULL,             -- lower-case name, glob, or hex SHA-256 of the key
  reason     TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER                    -- NULL: until removed
);

-- Certificates (by identity) that never alert again: a finding about them was acknowledged,
-- resolved or suppressed.
CREATE TABLE alert_muted_certificates (
  identity   BLOB PRIMARY KEY,
  reason     TEXT NOT NULL,
  finding_id INTEGER,
  created_at INTEGER NOT NULL
);

-- Small durable facts of the dispatcher and health monitor (last digest per sink, when a
-- sink started failing, the last daily summary).
CREATE TABLE alert_state (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
