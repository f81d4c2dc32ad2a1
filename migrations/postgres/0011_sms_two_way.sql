-- Two-way SMS (issue 22): people text BDCX, LLCX, TJ, JY or T and get an answer.
-- Kept in step with migrations/sqlite/0011_sms_two_way.sql.

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

-- Answers to texts are a category of their own; links may be for booking or roadside help.
ALTER TABLE sms_outbox DROP CONSTRAINT sms_outbox_category_check;
ALTER TABLE sms_outbox ADD CONSTRAINT sms_outbox_category_check
    CHECK (category IN ('login_code', 'payment_confirmation', 'renewal_reminder', 'claim_progress', 'service_notice', 'survey', 'marketing', 'sms_reply'));
ALTER TABLE short_links DROP CONSTRAINT short_links_purpose_check;
ALTER TABLE short_links ADD CONSTRAINT short_links_purpose_check
    CHECK (purpose IN ('renewal', 'claim', 'survey', 'booking', 'roadside'));
