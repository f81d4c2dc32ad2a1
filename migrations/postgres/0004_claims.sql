-- Claims as the customer follows them (issue 17): where it happened, how it was filed, the
-- amounts at each step, the payout account, why it was declined; events that are not stage
-- changes (notes, document requests, uploads, amounts); documents as a checklist whose files
-- live in object storage (only their metadata here); the handlers' work line; claim numbers
-- counted per year. Same statements on both engines.

ALTER TABLE claims ADD COLUMN incident_place TEXT NOT NULL DEFAULT '';
ALTER TABLE claims ADD COLUMN channel TEXT NOT NULL DEFAULT 'portal' CHECK (channel IN ('portal', 'phone', 'agent'));
ALTER TABLE claims ADD COLUMN amount_assessed_fen BIGINT;
ALTER TABLE claims ADD COLUMN amount_paid_fen BIGINT;
ALTER TABLE claims ADD COLUMN paid_at BIGINT;
ALTER TABLE claims ADD COLUMN decline_reason TEXT;
-- The payout account: a saved method, or a bank account whose number only the payout
-- needs; pages get the masked form only.
ALTER TABLE claims ADD COLUMN payout_kind TEXT CHECK (payout_kind IN ('method', 'bank'));
ALTER TABLE claims ADD COLUMN payout_method_id TEXT REFERENCES payment_methods(id);
ALTER TABLE claims ADD COLUMN payout_bank TEXT;
ALTER TABLE claims ADD COLUMN payout_account_no TEXT;
ALTER TABLE claims ADD COLUMN payout_masked TEXT;
CREATE INDEX claims_queue ON claims (stage, updated_at);

-- Events: kind 'stage' is a stage change (from_stage → to_stage); the others leave the
-- stage as it was and to_stage records it.
ALTER TABLE claim_events ADD COLUMN kind TEXT NOT NULL DEFAULT 'stage' CHECK (kind IN ('stage', 'note', 'document_requested', 'document_received', 'document_accepted', 'document_rejected', 'assessed', 'approved'));
ALTER TABLE claim_events ADD COLUMN document_id TEXT;
ALTER TABLE claim_events ADD COLUMN amount_fen BIGINT;
-- A claim is paid once, whatever races.
CREATE UNIQUE INDEX claim_events_one_payout ON claim_events (claim_id) WHERE kind = 'stage' AND to_stage = 'paid';

-- Documents: missing → received → accepted | rejected (→ received again).
CREATE TABLE claim_documents_v2 (
    id            TEXT PRIMARY KEY,
    claim_id      TEXT NOT NULL REFERENCES claims(id),
    customer_id   TEXT NOT NULL REFERENCES customers(id),
    kind          TEXT NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('missing', 'received', 'accepted', 'rejected')),
    required      BIGINT NOT NULL DEFAULT 1,
    reject_reason TEXT,
    requested_by  TEXT REFERENCES staff(id),         -- NULL: the line's standard list
    requested_at  BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    UNIQUE (claim_id, kind)
);
INSERT INTO claim_documents_v2 (id, claim_id, customer_id, kind, state, required, requested_at, updated_at)
    SELECT id, claim_id, customer_id, kind,
           CASE state WHEN 'requested' THEN 'missing' WHEN 'uploaded' THEN 'received' ELSE state END,
           1, requested_at, COALESCE(uploaded_at, requested_at)
    FROM claim_documents;
DROP TABLE claim_documents;
ALTER TABLE claim_documents_v2 RENAME TO claim_documents;
CREATE INDEX claim_documents_claim ON claim_documents (claim_id);

-- One row per uploaded file; the bytes are in the file store under storage_key.
CREATE TABLE claim_files (
    id          TEXT PRIMARY KEY,
    claim_id    TEXT NOT NULL REFERENCES claims(id),
    customer_id TEXT NOT NULL REFERENCES customers(id),
    document_id TEXT NOT NULL REFERENCES claim_documents(id),
    storage_key TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('jpeg', 'png', 'pdf')),
    size_bytes  BIGINT NOT NULL,
    name        TEXT NOT NULL DEFAULT '',
    uploaded_at BIGINT NOT NULL
);
CREATE INDEX claim_files_claim ON claim_files (claim_id);
CREATE INDEX claim_files_document ON claim_files (document_id);

-- The work line a customer may call about their claim.
ALTER TABLE staff ADD COLUMN contact_phone TEXT;

-- CL + year + 6 digits, counted per year with one guarded UPDATE … RETURNING.
CREATE TABLE claim_numbers (
    year BIGINT PRIMARY KEY,
    last BIGINT NOT NULL
);
