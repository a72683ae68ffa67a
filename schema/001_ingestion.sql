-- Ingestion: logs and their verified positions, signed heads, matched certificates,
-- sightings and findings. Times are Unix milliseconds; hashes are raw 32-byte BLOBs.

-- One row per CT log ever monitored. position/compact_range move together in the same
-- transaction as the entries they cover; verified_* is the rollback point.
CREATE TABLE logs (
  log_id          BLOB PRIMARY KEY,      -- SHA-256 of the log's public key
  description     TEXT NOT NULL,
  api             TEXT NOT NULL CHECK (api IN ('rfc6962', 'static')),
  url             TEXT NOT NULL,
  list_state      TEXT NOT NULL,         -- state in the log list (usable, readonly, ...)
  active          INTEGER NOT NULL DEFAULT 1,  -- 0 once the log left the log list
  position        INTEGER NOT NULL,      -- entries [0, position) are processed
  compact_range   BLOB NOT NULL,         -- CompactRange of [0, position)
  verified_size   INTEGER NOT NULL,      -- entries [0, verified_size) match a signed root
  verified_range  BLOB NOT NULL,         -- CompactRange of [0, verified_size)
  verified_root   BLOB,
  verified_at     INTEGER,
  head_size       INTEGER,               -- latest signed head seen
  head_timestamp  INTEGER,
  head_root       BLOB,
  head_seen_at    INTEGER,
  last_success_at INTEGER,
  last_error      TEXT,
  last_error_at   INTEGER,
  created_at      INTEGER NOT NULL
);

-- Every distinct signed head (size, root) seen per log: two roots for one size is a split view.
CREATE TABLE tree_heads (
  log_id        BLOB NOT NULL,
  tree_size     INTEGER NOT NULL,
  root          BLOB NOT NULL,
  timestamp     INTEGER NOT NULL,
  signature     BLOB NOT NULL,
  first_seen_at INTEGER NOT NULL,
  PRIMARY KEY (log_id, tree_size, root)
);

-- Certificates that concern the owner, one row per certificate identity (precert form TBS).
CREATE TABLE certificates (
  identity        BLOB PRIMARY KEY,
  subject_dn      TEXT NOT NULL,
  issuer_dn       TEXT NOT NULL,
  serial          TEXT NOT NULL,         -- lower-case hex
  not_before      INTEGER NOT NULL,
  not_after       INTEGER NOT NULL,
  spki_sha256     BLOB NOT NULL,
  issuer_key_hash BLOB,
  aki             BLOB,
  names           TEXT NOT NULL,         -- JSON array of DNS names, IPs and CNs
  cert_der        BLOB,                  -- final certificate, once seen
  precert_der     BLOB,                  -- precertificate (or its TBS) when that is what was seen
  first_seen_at   INTEGER NOT NULL
);

-- Name index for `certs --name`: reversed labels ("com.example.www") make "all below a
-- domain" a range scan.
CREATE TABLE certificate_names (
  reversed_name TEXT NOT NULL,
  identity      BLOB NOT NULL,
  PRIMARY KEY (reversed_name, identity)
) WITHOUT ROWID;

-- Where each stored certificate was logged. verified = 1 once the log's root was checked.
CREATE TABLE sightings (
  log_id      BLOB NOT NULL,
  entry_index INTEGER NOT NULL,
  identity    BLOB NOT NULL,
  entry_type  TEXT NOT NULL CHECK (entry_type IN ('cert', 'precert')),
  cert_sha256 BLOB,
  timestamp   INTEGER NOT NULL,           -- the log's timestamp of the entry
  verified    INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (log_id, entry_index)
);
CREATE INDEX sightings_by_identity ON sightings (identity);

-- Entries that could not be decoded, kept with the error: a malformed certificate in a log is
-- itself interesting.
CREATE TABLE malformed_entries (
  log_id      BLOB NOT NULL,
  entry_index INTEGER NOT NULL,
  error       TEXT NOT NULL,
  leaf_input  BLOB NOT NULL,
  extra_data  BLOB,
  verified    INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (log_id, entry_index)
);

-- Findings from entries wait here until their range is verified, then move to `findings`.
CREATE TABLE pending_findings (
  log_id      BLOB NOT NULL,
  entry_index INTEGER NOT NULL,
  kind        TEXT NOT NULL,
  severity    TEXT NOT NULL,
  identity    BLOB,
  names       TEXT NOT NULL,
  detail      TEXT NOT NULL,
  dedup_key   TEXT NOT NULL,
  PRIMARY KEY (log_id, entry_index, dedup_key)
);

CREATE TABLE findings (
  id          INTEGER PRIMARY KEY,
  kind        TEXT NOT NULL,
  severity    TEXT NOT NULL CHECK (severity IN ('info', 'low', 'medium', 'high', 'critical')),
  identity    BLOB,
  names       TEXT NOT NULL,              -- JSON array
  log_id      BLOB,
  entry_index INTEGER,
  detail      TEXT NOT NULL,
  dedup_key   TEXT NOT NULL UNIQUE,
  state       TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'acknowledged', 'resolved')),
  created_at  INTEGER NOT NULL
);
CREATE INDEX findings_by_kind ON findings (kind, created_at);
