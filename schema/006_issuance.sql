-- Expected versus foreign issuance (docs/issuance.md): the verdict of every sighting of a
-- certificate that names an owned name, manual expectations beside the ACME engine's, and
-- findings resolved with a note (nothing is deleted). Times are Unix milliseconds.

-- The verdict, with why, of each sighting that names an owned name (NULL for look-alike-only
-- certificates and for sightings stored before this migration). A sighting whose verdict
-- could not be computed keeps verdict NULL with a detail saying why; reconciliation retries it.
ALTER TABLE sightings ADD COLUMN verdict TEXT
  CHECK (verdict IN ('expected', 'expected_pending', 'authorized', 'foreign'));
ALTER TABLE sightings ADD COLUMN verdict_detail TEXT;
ALTER TABLE sightings ADD COLUMN verdict_at INTEGER;
CREATE INDEX sightings_to_reconcile ON sightings (identity)
  WHERE verdict_detail IS NOT NULL AND (verdict IS NULL OR verdict != 'expected');

-- The exact name set of a certificate: its DNS and IP subjectAltNames, lower case, sorted
-- (JSON). Expectations compare against it (subject CNs are not part of it).
ALTER TABLE certificates ADD COLUMN san_names TEXT;

-- Resolution: a finding explained later (an import, an authorization) is resolved with a note.
-- A pending finding resolved before its range was verified carries the note and is promoted
-- already resolved.
ALTER TABLE findings ADD COLUMN note TEXT;
ALTER TABLE findings ADD COLUMN resolved_at INTEGER;
ALTER TABLE pending_findings ADD COLUMN note TEXT;

-- A finding resolved with a note never alerts again, whichever path resolved it: its queued
-- deliveries are suppressed and its certificate is muted, as `ctwatch findings resolve` does.
CREATE TRIGGER findings_resolved_quiet AFTER UPDATE OF note ON findings
WHEN NEW.state = 'resolved' AND NEW.note IS NOT NULL
BEGIN
  UPDATE alert_deliveries SET state = 'suppressed', note = 'finding resolved: ' || NEW.note
    WHERE finding_id = NEW.id AND state = 'queued';
  INSERT OR IGNORE INTO alert_muted_certificates (identity, reason, finding_id, created_at)
    SELECT NEW.identity, 'resolved: ' || NEW.note, NEW.id, COALESCE(NEW.resolved_at, 0)
    WHERE NEW.identity IS NOT NULL;
END;

-- Expectations, rebuilt so that one can exist without an order: `ctwatch expect add` places
-- them by hand (a certificate ordered through another channel). order_id is NULL for those.
CREATE TABLE acme_expectations_new (
  id           INTEGER PRIMARY KEY,
  order_id     INTEGER UNIQUE REFERENCES acme_orders (id),
  source       TEXT NOT NULL DEFAULT 'acme' CHECK (source IN ('acme', 'manual')),
  ca           TEXT NOT NULL,              -- configured CA name; '' for any CA (manual)
  spki_sha256  BLOB NOT NULL,
  names        TEXT NOT NULL,              -- JSON array, sorted: the exact set
  window_start INTEGER NOT NULL,
  window_end   INTEGER NOT NULL,
  state        TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'fulfilled', 'cancelled')),
  identity     BLOB,                       -- the certificate that fulfilled it
  note         TEXT,
  created_at   INTEGER NOT NULL
);
INSERT INTO acme_expectations_new (id, order_id, source, ca, spki_sha256, names, window_start,
                                   window_end, state, identity, created_at)
  SELECT id, order_id, 'acme', ca, spki_sha256, names, window_start, window_end, state, identity,
         created_at FROM acme_expectations;
DROP TABLE acme_expectations;
ALTER TABLE acme_expectations_new RENAME TO acme_expectations;
CREATE INDEX acme_expectations_by_spki ON acme_expectations (spki_sha256, state);
