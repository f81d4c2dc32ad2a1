-- Limits on attempts (wrong passwords, codes sent, link checks), one row per realm and
-- subject. An attempt is claimed with one guarded upsert *before* any secret is compared,
-- so N parallel requests can never check more than the limit allows.
CREATE TABLE attempt_limits (
    realm        TEXT NOT NULL,
    subject      TEXT NOT NULL,   -- phone, username, policy number, address, link code
    attempts     BIGINT NOT NULL,
    window_start BIGINT NOT NULL,
    last_at      BIGINT NOT NULL,
    PRIMARY KEY (realm, subject)
);

-- One-time codes never reach a page: `body` is what people and staff read (the code
-- starred out), `secret_body` is what the SMS provider is handed, cleared once sent.
ALTER TABLE sms_outbox ADD COLUMN secret_body TEXT;
