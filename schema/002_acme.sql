-- ACME engine: accounts, orders (their state, persisted before every step, is what makes an
-- interrupted order resumable), the inventory of owned certificates, and the expectations
-- registered at finalize. Times are Unix milliseconds; hashes are raw 32-byte BLOBs.

-- One row per (directory, account key). The key itself lives in key_path (mode 0600).
CREATE TABLE acme_accounts (
  id             INTEGER PRIMARY KEY,
  ca             TEXT NOT NULL,            -- configured CA name
  directory_url  TEXT NOT NULL,
  account_url    TEXT,                     -- the "kid"; NULL until registered
  key_path       TEXT NOT NULL,
  key_thumbprint TEXT NOT NULL,            -- RFC 7638, base64url
  contact        TEXT NOT NULL DEFAULT '[]',  -- JSON array
  status         TEXT NOT NULL DEFAULT 'valid'
                 CHECK (status IN ('valid', 'deactivated', 'revoked')),
  eab_kid        TEXT,
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL,
  UNIQUE (directory_url, key_thumbprint)
);

-- Orders and where each one stands. A row is written (state 'new') before newOrder is sent,
-- and updated before each later step, so a restarted process resumes it instead of ordering
-- the same names again.
CREATE TABLE acme_orders (
  id              INTEGER PRIMARY KEY,
  cert_name       TEXT NOT NULL,           -- [[acme.certificate]] name
  ca              TEXT NOT NULL,
  directory_url   TEXT NOT NULL,
  account_url     TEXT NOT NULL,
  identifiers     TEXT NOT NULL,           -- canonical JSON [{"type","value"}], sorted
  profile         TEXT,
  replaces        TEXT,                    -- ARI certID sent as `replaces`
  replaces_id     INTEGER,                 -- inventory certificate being replaced
  state           TEXT NOT NULL CHECK (state IN ('new', 'pending', 'finalizing', 'processing',
                    'downloading', 'installed', 'done', 'failed', 'abandoned')),
  order_url       TEXT UNIQUE,
  finalize_url    TEXT,
  certificate_url TEXT,
  key_path        TEXT,                    -- certificate key (0600) while the order is open
  csr_spki_sha256 BLOB,
  challenges      TEXT NOT NULL DEFAULT '[]',  -- presented and not yet cleaned up (JSON)
  inventory_id    INTEGER,
  error           TEXT,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL
);
CREATE INDEX acme_orders_by_name ON acme_orders (cert_name, state);

-- Every certificate obtained (or, later, imported), one row per certificate identity
-- (SHA-256 of the TBS in precert form, as in `certificates`).
CREATE TABLE inventory_certificates (
  id                INTEGER PRIMARY KEY,
  name              TEXT,                  -- lineage name; NULL for imports without one
  identity          BLOB NOT NULL UNIQUE,
  cert_sha256       BLOB NOT NULL,
  spki_sha256       BLOB NOT NULL,
  names             TEXT NOT NULL,         -- JSON array of DNS names and IP addresses
  serial            TEXT NOT NULL,         -- lower-case hex of the INTEGER contents
  aki               BLOB,
  issuer_dn         TEXT NOT NULL,
  not_before        INTEGER NOT NULL,
  not_after         INTEGER NOT NULL,
  ca                TEXT,                  -- configured CA name
  order_url         TEXT,
  source            TEXT NOT NULL DEFAULT 'acme' CHECK (source IN ('acme', 'import')),
  status            TEXT NOT NULL DEFAULT 'active'
                    CHECK (status IN ('active', 'replaced', 'revoked', 'expired')),
  replaced_by       INTEGER REFERENCES inventory_certificates (id),
  revoked_at        INTEGER,
  revocation_reason INTEGER,
  cert_der          BLOB NOT NULL,
  chain_pem         TEXT,                  -- the issuer chain as served
  path              TEXT,                  -- archive directory of the files
  created_at        INTEGER NOT NULL
);
CREATE INDEX inventory_by_name ON inventory_certificates (name, status);
CREATE INDEX inventory_by_spki ON inventory_certificates (spki_sha256);

-- Name index of the inventory: reversed labels ("com.example.www"), as certificate_names.
CREATE TABLE inventory_names (
  reversed_name  TEXT NOT NULL,
  certificate_id INTEGER NOT NULL,
  PRIMARY KEY (reversed_name, certificate_id)
) WITHOUT ROWID;

-- Registered when an order is finalized: the CSR key, the exact name set, the CA and a time
-- window in which a (pre)certificate for them is ours, even before it is downloaded.
CREATE TABLE acme_expectations (
  id           INTEGER PRIMARY KEY,
  order_id     INTEGER NOT NULL UNIQUE REFERENCES acme_orders (id),
  ca           TEXT NOT NULL,
  spki_sha256  BLOB NOT NULL,
  names        TEXT NOT NULL,              -- JSON array, sorted: the exact set
  window_start INTEGER NOT NULL,
  window_end   INTEGER NOT NULL,
  state        TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'fulfilled', 'cancelled')),
  identity     BLOB,                       -- the certificate that fulfilled it
  created_at   INTEGER NOT NULL
);
CREATE INDEX acme_expectations_by_spki ON acme_expectations (spki_sha256, state);
