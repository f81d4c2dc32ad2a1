-- Two-way SMS (issue 22): people text BDCX, LLCX, TJ, JY or T and get an answer.
-- Kept in step with migrations/postgres/0011_sms_two_way.sql.

-- The language a customer's SMS answers are written in.
ALTER TABLE customers ADD COLUMN locale TEXT NOT NULL DEFAULT 'zh-CN' CHECK (locale IN ('zh-CN', 'en'));

-- Every text received, once: the provider's message id is unique, so a delivery it retries
-- is answered once. The text is kept with ID digits starred out.
CREATE TABLE sms_inbound (
    id          TEXT PRIMARY KEY,
    message_id  TEXT NOT NULL UNIQUE,
    phone       TEXT NOT NULL,
    customer_id TEXT REFERENCES customers(id),      -- whose registered phone sent it, if anyone's
    body        TEXT NOT NULL,
    query       TEXT NOT NULL CHECK (query IN ('policies', 'claim', 'checkups', 'roadside', 'stop', 'help')),
    outcome     TEXT NOT NULL CHECK (outcome IN ('answered', 'not_found', 'limited', 'locked')),
    reply_id    TEXT,                               -- the sms_outbox row that answers it (none past the limit)
    received_at BIGINT NOT NULL
);
CREATE INDEX sms_inbound_received ON sms_inbound (received_at);
CREATE INDEX sms_inbound_phone ON sms_inbound (phone, received_at);

-- SQLite cannot widen a CHECK: the outbox (new category `sms_reply`) and the short links
-- (new purposes `booking` and `roadside`) are copied into tables that allow them. Nothing
-- references either table.
CREATE TABLE sms_outbox_new (
    id                TEXT PRIMARY KEY,
    customer_id       TEXT REFERENCES customers(id),
    phone             TEXT NOT NULL,
    category          TEXT NOT NULL CHECK (category IN ('login_code', 'payment_confirmation', 'renewal_reminder', 'claim_progress', 'service_notice', 'survey', 'marketing', 'sms_reply')),
    body              TEXT NOT NULL,
    state             TEXT NOT NULL CHECK (state IN ('queued', 'deferred', 'sending', 'sent', 'suppressed')),
    dedupe_key        TEXT UNIQUE,
    defer_until       BIGINT,
    suppressed_reason TEXT,
    claimed_by        TEXT,
    claimed_at        BIGINT,
    created_at        BIGINT NOT NULL,
    sent_at           BIGINT,
    secret_body       TEXT,
    attempts          BIGINT NOT NULL DEFAULT 0,
    last_error        TEXT
);
INSERT INTO sms_outbox_new (id, customer_id, phone, category, body, state, dedupe_key, defer_until,
        suppressed_reason, claimed_by, claimed_at, created_at, sent_at, secret_body, attempts, last_error)
    SELECT id, customer_id, phone, category, body, state, dedupe_key, defer_until,
        suppressed_reason, claimed_by, claimed_at, created_at, sent_at, secret_body, attempts, last_error
    FROM sms_outbox;
DROP TABLE sms_outbox;
ALTER TABLE sms_outbox_new RENAME TO sms_outbox;
CREATE INDEX sms_outbox_state ON sms_outbox (state, created_at);
CREATE INDEX sms_outbox_customer ON sms_outbox (customer_id, created_at);
CREATE INDEX sms_outbox_phone ON sms_outbox (phone, created_at);

CREATE TABLE short_links_new (
    code          TEXT PRIMARY KEY,
    customer_id   TEXT NOT NULL REFERENCES customers(id),
    purpose       TEXT NOT NULL CHECK (purpose IN ('renewal', 'claim', 'survey', 'booking', 'roadside')),
    target_id     TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    failed_checks BIGINT NOT NULL DEFAULT 0,
    locked_until  BIGINT
);
INSERT INTO short_links_new (code, customer_id, purpose, target_id, created_at, expires_at, failed_checks, locked_until)
    SELECT code, customer_id, purpose, target_id, created_at, expires_at, failed_checks, locked_until FROM short_links;
DROP TABLE short_links;
ALTER TABLE short_links_new RENAME TO short_links;
CREATE INDEX short_links_customer ON short_links (customer_id);
