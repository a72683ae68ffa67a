-- ACME renewal scheduler, rate-limit ledger and CA issuers (docs/acme.md). Times are Unix
-- milliseconds; hashes are raw 32-byte BLOBs.

-- Where each configured certificate stands with the scheduler: consecutive failures (the retry
-- schedule survives restarts), the next attempt, and the last ARI answer (RFC 9773) for its
-- current certificate.
CREATE TABLE acme_renewal_state (
  cert_name          TEXT PRIMARY KEY,     -- [[acme.certificate]] name
  certificate_id     INTEGER,              -- the inventory certificate the ARI fields are about
  failures           INTEGER NOT NULL DEFAULT 0,  -- consecutive failed attempts
  next_attempt_at    INTEGER,              -- no attempt before this (failure backoff)
  last_attempt_at    INTEGER,
  last_error         TEXT,
  last_ca            TEXT,                 -- CA of the last attempt
  ari_cert_id        TEXT,
  ari_window_start   INTEGER,
  ari_window_end     INTEGER,
  ari_renew_at       INTEGER,              -- the random time picked inside the window
  ari_explanation    TEXT,
  ari_next_check_at  INTEGER,              -- Retry-After, clamped to 1 min..1 day
  updated_at         INTEGER NOT NULL
);

-- What the rate-limit ledger counted: orders created, certificates issued and failed
-- validations, per CA directory and account. `subject` is the account URL (order), the exact
-- name set as sorted JSON (certificate), a registered domain (certificate_domain) or an
-- identifier (failed_validation).
CREATE TABLE acme_ledger (
  id            INTEGER PRIMARY KEY,
  directory_url TEXT NOT NULL,
  kind          TEXT NOT NULL CHECK (kind IN ('order', 'certificate', 'certificate_domain',
                                              'failed_validation')),
  subject       TEXT NOT NULL,
  order_id      INTEGER,
  at            INTEGER NOT NULL
);
CREATE INDEX acme_ledger_by_subject ON acme_ledger (directory_url, kind, subject, at);

-- Issuer keys learned from the chains of issued (or imported) certificates, per configured CA:
-- the expected issuers when a certificate for an owned name shows up in CT.
CREATE TABLE acme_ca_issuers (
  ca          TEXT NOT NULL,
  spki_sha256 BLOB NOT NULL,               -- SHA-256 of the issuer's SubjectPublicKeyInfo
  subject_dn  TEXT NOT NULL,
  first_seen  INTEGER NOT NULL,
  last_seen   INTEGER NOT NULL,
  PRIMARY KEY (ca, spki_sha256)
);
