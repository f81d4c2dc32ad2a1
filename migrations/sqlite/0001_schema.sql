-- Anxin schema, SQLite dialect. Kept column-for-column identical to
-- migrations/postgres/0001_schema.sql: the store layer runs the same SQL on both.
-- Conventions: ids are random text (>= 128 bits) so they may reach URLs; money is
-- integer fen; instants are UTC unix seconds (BIGINT); dates of cover are
-- 'YYYY-MM-DD' calendar dates in Asia/Shanghai; flags are BIGINT 0/1 (sqlx Any
-- cannot decode SQLite BOOLEAN).

CREATE TABLE customers (
    id               TEXT PRIMARY KEY,
    phone            TEXT NOT NULL UNIQUE,          -- E.164-less mainland mobile, 11 digits
    name             TEXT NOT NULL,
    id_number_masked TEXT NOT NULL,                 -- 1101**********1234: the full number is never stored
    id_last4_hash    TEXT NOT NULL,                 -- keyed hash of the last 4 characters, for step-up checks
    birth_date       TEXT NOT NULL,
    password_hash    TEXT,                          -- NULL until the account is activated
    activated_at     BIGINT,
    created_at       BIGINT NOT NULL
);

CREATE TABLE staff (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('agent', 'claims', 'supervisor', 'admin')),
    password_hash TEXT NOT NULL,
    disabled      BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL
);

CREATE TABLE impersonations (
    id          TEXT PRIMARY KEY,
    staff_id    TEXT NOT NULL REFERENCES staff(id),
    customer_id TEXT NOT NULL REFERENCES customers(id),
    reason      TEXT NOT NULL,
    ticket      TEXT,
    state       TEXT NOT NULL CHECK (state IN ('active', 'ended', 'expired')),
    started_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    ended_at    BIGINT
);
CREATE INDEX impersonations_customer ON impersonations (customer_id, started_at);

-- Server-side sessions. Only a SHA-256 of the cookie token is stored.
CREATE TABLE sessions (
    token_hash       TEXT PRIMARY KEY,
    kind             TEXT NOT NULL CHECK (kind IN ('customer', 'staff', 'link')),
    customer_id      TEXT REFERENCES customers(id),
    staff_id         TEXT REFERENCES staff(id),
    short_link_code  TEXT,                           -- kind = 'link': the one purpose it may serve
    impersonation_id TEXT REFERENCES impersonations(id),
    created_at       BIGINT NOT NULL,
    last_seen_at     BIGINT NOT NULL,
    idle_expires_at  BIGINT NOT NULL,
    absolute_expires_at BIGINT NOT NULL,
    stepped_up_at    BIGINT
);
CREATE INDEX sessions_customer ON sessions (customer_id);
CREATE INDEX sessions_staff ON sessions (staff_id);
CREATE INDEX sessions_expiry ON sessions (absolute_expires_at);

-- Every login attempt, for per-account lockout and per-address throttling.
CREATE TABLE login_attempts (
    id         TEXT PRIMARY KEY,
    realm      TEXT NOT NULL CHECK (realm IN ('customer', 'staff', 'sms_code', 'activation', 'step_up')),
    subject    TEXT NOT NULL,                        -- phone or username (never shown in logs)
    ip         TEXT NOT NULL,
    succeeded  BIGINT NOT NULL,
    at         BIGINT NOT NULL
);
CREATE INDEX login_attempts_subject ON login_attempts (realm, subject, at);
CREATE INDEX login_attempts_ip ON login_attempts (ip, at);

-- One-time SMS codes, stored as a keyed hash.
CREATE TABLE sms_codes (
    id          TEXT PRIMARY KEY,
    phone       TEXT NOT NULL,
    purpose     TEXT NOT NULL CHECK (purpose IN ('login', 'activate', 'step_up', 'link')),
    code_hash   TEXT NOT NULL,
    attempts    BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    consumed_at BIGINT
);
CREATE INDEX sms_codes_phone ON sms_codes (phone, purpose, created_at);

CREATE TABLE service_kinds (
    id      TEXT PRIMARY KEY,
    code    TEXT NOT NULL UNIQUE,                    -- health_checkup, roadside_assistance, ...
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL
);

CREATE TABLE products (
    id                TEXT PRIMARY KEY,
    code              TEXT NOT NULL UNIQUE,
    line              TEXT NOT NULL CHECK (line IN ('auto', 'health', 'life', 'home')),
    name_zh           TEXT NOT NULL,
    name_en           TEXT NOT NULL,
    base_premium_fen  BIGINT NOT NULL CHECK (base_premium_fen > 0)
);

-- What a policy of this product grants each policy year (e.g. 2 health check-ups).
CREATE TABLE product_entitlements (
    id              TEXT PRIMARY KEY,
    product_id      TEXT NOT NULL REFERENCES products(id),
    service_kind_id TEXT NOT NULL REFERENCES service_kinds(id),
    per_year        BIGINT NOT NULL CHECK (per_year > 0),
    UNIQUE (product_id, service_kind_id)
);

CREATE TABLE policies (
    id                 TEXT PRIMARY KEY,
    customer_id        TEXT NOT NULL REFERENCES customers(id),
    product_id         TEXT NOT NULL REFERENCES products(id),
    policy_no          TEXT NOT NULL UNIQUE,
    status             TEXT NOT NULL CHECK (status IN ('active', 'lapsed', 'cancelled')),
    insured_object     TEXT NOT NULL,                -- plate number, insured person or address
    auto_debit         BIGINT NOT NULL DEFAULT 0,
    verification_code  TEXT NOT NULL UNIQUE,         -- printed on the e-policy, checked at /verify
    created_at         BIGINT NOT NULL
);
CREATE INDEX policies_customer ON policies (customer_id, status);

-- Each period of cover. A renewal adds the next term; (policy_id, term_no) makes that once-only.
CREATE TABLE policy_terms (
    id               TEXT PRIMARY KEY,
    policy_id        TEXT NOT NULL REFERENCES policies(id),
    customer_id      TEXT NOT NULL REFERENCES customers(id),
    term_no          BIGINT NOT NULL,
    start_date       TEXT NOT NULL,
    end_date         TEXT NOT NULL,
    premium_fen      BIGINT NOT NULL CHECK (premium_fen > 0),
    payment_id       TEXT,
    created_at       BIGINT NOT NULL,
    UNIQUE (policy_id, term_no)
);
CREATE INDEX policy_terms_end ON policy_terms (end_date);

CREATE TABLE coverages (
    id              TEXT PRIMARY KEY,
    policy_id       TEXT NOT NULL REFERENCES policies(id),
    name_zh         TEXT NOT NULL,
    name_en         TEXT NOT NULL,
    sum_insured_fen BIGINT NOT NULL,
    deductible_fen  BIGINT NOT NULL DEFAULT 0,
    position        BIGINT NOT NULL
);
CREATE INDEX coverages_policy ON coverages (policy_id);

CREATE TABLE beneficiaries (
    id          TEXT PRIMARY KEY,
    policy_id   TEXT NOT NULL REFERENCES policies(id),
    name        TEXT NOT NULL,
    relation    TEXT NOT NULL,
    share_pct   BIGINT NOT NULL CHECK (share_pct > 0 AND share_pct <= 100)
);
CREATE INDEX beneficiaries_policy ON beneficiaries (policy_id);

CREATE TABLE payment_methods (
    id          TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    kind        TEXT NOT NULL CHECK (kind IN ('card', 'wechat', 'alipay', 'unionpay')),
    label       TEXT NOT NULL,                       -- already masked: 招商银行 ****1234
    gateway_token TEXT NOT NULL,
    is_default  BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL
);
CREATE INDEX payment_methods_customer ON payment_methods (customer_id);

-- A renewal offer for one policy's next term. A new version supersedes the old one.
CREATE TABLE renewal_offers (
    id                   TEXT PRIMARY KEY,
    policy_id            TEXT NOT NULL REFERENCES policies(id),
    customer_id          TEXT NOT NULL REFERENCES customers(id),
    version              BIGINT NOT NULL,
    term_start           TEXT NOT NULL,
    term_end             TEXT NOT NULL,
    previous_premium_fen BIGINT NOT NULL,
    premium_fen          BIGINT NOT NULL CHECK (premium_fen > 0),
    state                TEXT NOT NULL CHECK (state IN ('open', 'paid', 'superseded', 'expired')),
    expires_at           BIGINT NOT NULL,
    created_at           BIGINT NOT NULL,
    UNIQUE (policy_id, version)
);
CREATE INDEX renewal_offers_customer ON renewal_offers (customer_id, state);
CREATE UNIQUE INDEX renewal_offers_one_open ON renewal_offers (policy_id) WHERE state = 'open';

-- Why the premium changed, item by item; the amounts sum to premium - previous_premium.
CREATE TABLE renewal_price_items (
    id         TEXT PRIMARY KEY,
    offer_id   TEXT NOT NULL REFERENCES renewal_offers(id),
    kind       TEXT NOT NULL CHECK (kind IN ('no_claim_discount', 'age_band', 'rate_change', 'coverage_change', 'loyalty_discount', 'claims_loading')),
    amount_fen BIGINT NOT NULL,
    detail     TEXT NOT NULL DEFAULT '',
    position   BIGINT NOT NULL
);
CREATE INDEX renewal_price_items_offer ON renewal_price_items (offer_id);

CREATE TABLE payments (
    id              TEXT PRIMARY KEY,
    customer_id     TEXT NOT NULL REFERENCES customers(id),
    offer_id        TEXT NOT NULL REFERENCES renewal_offers(id),
    policy_id       TEXT NOT NULL REFERENCES policies(id),
    idempotency_key TEXT NOT NULL,
    fingerprint     TEXT NOT NULL,                   -- offer, version, amount: a reused key with another is refused
    amount_fen      BIGINT NOT NULL CHECK (amount_fen > 0),
    method          TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('created', 'pending', 'succeeded', 'failed', 'expired')),
    gateway_ref     TEXT,
    failure_code    TEXT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    settled_at      BIGINT,
    UNIQUE (customer_id, idempotency_key)
);
CREATE INDEX payments_policy ON payments (policy_id, created_at);
CREATE INDEX payments_pending ON payments (state, updated_at);
CREATE UNIQUE INDEX payments_one_success_per_offer ON payments (offer_id) WHERE state = 'succeeded';

CREATE TABLE claims (
    id                       TEXT PRIMARY KEY,
    customer_id              TEXT NOT NULL REFERENCES customers(id),
    policy_id                TEXT NOT NULL REFERENCES policies(id),
    claim_no                 TEXT NOT NULL UNIQUE,
    stage                    TEXT NOT NULL CHECK (stage IN ('reported', 'survey', 'assessment', 'approval', 'paid', 'declined', 'withdrawn')),
    incident_date            TEXT NOT NULL,
    description              TEXT NOT NULL,
    handler_staff_id         TEXT REFERENCES staff(id),
    expected_completion_date TEXT,
    waiting_reason           TEXT,
    amount_claimed_fen       BIGINT,
    amount_approved_fen      BIGINT,
    reported_at              BIGINT NOT NULL,
    updated_at               BIGINT NOT NULL
);
CREATE INDEX claims_customer ON claims (customer_id, reported_at);
CREATE INDEX claims_policy ON claims (policy_id);

-- Every stage change, the timeline's source of truth.
CREATE TABLE claim_events (
    id             TEXT PRIMARY KEY,
    claim_id       TEXT NOT NULL REFERENCES claims(id),
    customer_id    TEXT NOT NULL REFERENCES customers(id),
    from_stage     TEXT,
    to_stage       TEXT NOT NULL,
    actor_kind     TEXT NOT NULL CHECK (actor_kind IN ('customer', 'staff', 'system')),
    actor_staff_id TEXT REFERENCES staff(id),
    note           TEXT NOT NULL DEFAULT '',
    at             BIGINT NOT NULL
);
CREATE INDEX claim_events_claim ON claim_events (claim_id, at);

CREATE TABLE claim_documents (
    id           TEXT PRIMARY KEY,
    claim_id     TEXT NOT NULL REFERENCES claims(id),
    customer_id  TEXT NOT NULL REFERENCES customers(id),
    kind         TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('requested', 'uploaded', 'accepted', 'rejected')),
    file_path    TEXT,
    content_type TEXT,
    size_bytes   BIGINT,
    requested_at BIGINT NOT NULL,
    uploaded_at  BIGINT
);
CREATE INDEX claim_documents_claim ON claim_documents (claim_id);

CREATE TABLE providers (
    id              TEXT PRIMARY KEY,
    service_kind_id TEXT NOT NULL REFERENCES service_kinds(id),
    name            TEXT NOT NULL,
    city            TEXT NOT NULL,
    address         TEXT NOT NULL
);

CREATE TABLE slots (
    id          TEXT PRIMARY KEY,
    provider_id TEXT NOT NULL REFERENCES providers(id),
    starts_at   BIGINT NOT NULL,
    ends_at     BIGINT NOT NULL,
    capacity    BIGINT NOT NULL CHECK (capacity > 0),
    booked      BIGINT NOT NULL DEFAULT 0,
    CHECK (booked >= 0 AND booked <= capacity)
);
CREATE INDEX slots_provider ON slots (provider_id, starts_at);

CREATE TABLE bookings (
    id              TEXT PRIMARY KEY,
    customer_id     TEXT NOT NULL REFERENCES customers(id),
    policy_id       TEXT NOT NULL REFERENCES policies(id),
    service_kind_id TEXT NOT NULL REFERENCES service_kinds(id),
    slot_id         TEXT NOT NULL REFERENCES slots(id),
    state           TEXT NOT NULL CHECK (state IN ('booked', 'completed', 'cancelled', 'no_show')),
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX bookings_customer ON bookings (customer_id, state);
CREATE INDEX bookings_policy ON bookings (policy_id, service_kind_id);

CREATE TABLE survey_invitations (
    id           TEXT PRIMARY KEY,
    customer_id  TEXT NOT NULL REFERENCES customers(id),
    subject_kind TEXT NOT NULL CHECK (subject_kind IN ('booking', 'claim')),
    subject_id   TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('sent', 'answered', 'expired')),
    sent_at      BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    UNIQUE (subject_kind, subject_id)
);
CREATE INDEX survey_invitations_customer ON survey_invitations (customer_id, state);

CREATE TABLE survey_responses (
    id            TEXT PRIMARY KEY,
    invitation_id TEXT NOT NULL UNIQUE REFERENCES survey_invitations(id),
    customer_id   TEXT NOT NULL REFERENCES customers(id),
    score         BIGINT NOT NULL CHECK (score BETWEEN 1 AND 10),
    comment       TEXT NOT NULL DEFAULT '',
    answered_at   BIGINT NOT NULL
);

CREATE TABLE short_links (
    code          TEXT PRIMARY KEY,                  -- >= 10 random base-62 characters
    customer_id   TEXT NOT NULL REFERENCES customers(id),
    purpose       TEXT NOT NULL CHECK (purpose IN ('renewal', 'claim', 'survey')),
    target_id     TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    failed_checks BIGINT NOT NULL DEFAULT 0,
    locked_until  BIGINT
);
CREATE INDEX short_links_customer ON short_links (customer_id);

-- Every SMS, written in the transaction of the change that causes it; senders claim rows.
CREATE TABLE sms_outbox (
    id                TEXT PRIMARY KEY,
    customer_id       TEXT REFERENCES customers(id),
    phone             TEXT NOT NULL,
    category          TEXT NOT NULL CHECK (category IN ('login_code', 'payment_confirmation', 'renewal_reminder', 'claim_progress', 'service_notice', 'survey', 'marketing')),
    body              TEXT NOT NULL,
    state             TEXT NOT NULL CHECK (state IN ('queued', 'deferred', 'sending', 'sent', 'suppressed')),
    dedupe_key        TEXT UNIQUE,                   -- e.g. reminder:{policy}:{term}:30
    defer_until       BIGINT,
    suppressed_reason TEXT,
    claimed_by        TEXT,
    claimed_at        BIGINT,
    created_at        BIGINT NOT NULL,
    sent_at           BIGINT
);
CREATE INDEX sms_outbox_state ON sms_outbox (state, created_at);
CREATE INDEX sms_outbox_customer ON sms_outbox (customer_id, created_at);
CREATE INDEX sms_outbox_phone ON sms_outbox (phone, created_at);

CREATE TABLE notification_preferences (
    customer_id     TEXT PRIMARY KEY REFERENCES customers(id),
    renewal         BIGINT NOT NULL DEFAULT 1,
    claims          BIGINT NOT NULL DEFAULT 1,
    service_survey  BIGINT NOT NULL DEFAULT 1,
    marketing       BIGINT NOT NULL DEFAULT 0,
    time_window     TEXT NOT NULL DEFAULT 'any' CHECK (time_window IN ('any', 'lunchtime', 'evening', 'working_hours')),
    updated_at      BIGINT NOT NULL
);

CREATE TABLE audit_log (
    id               TEXT PRIMARY KEY,
    at               BIGINT NOT NULL,
    actor_kind       TEXT NOT NULL CHECK (actor_kind IN ('customer', 'staff', 'system', 'anonymous')),
    actor_id         TEXT,
    customer_id      TEXT,
    impersonation_id TEXT,
    action           TEXT NOT NULL,
    detail           TEXT NOT NULL DEFAULT '',
    ip               TEXT,
    request_id       TEXT
);
CREATE INDEX audit_log_customer ON audit_log (customer_id, at);
CREATE INDEX audit_log_actor ON audit_log (actor_kind, actor_id, at);

-- Leases for background jobs, so one of many instances runs each job at a time.
CREATE TABLE job_leases (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    lease_until BIGINT NOT NULL
);
