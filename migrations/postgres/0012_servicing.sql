-- Policy servicing (保全, issue 21). Kept in step with migrations/sqlite/0012_servicing.sql.

-- A servicing request (保全, issue 21): one small change to a policy or the account that
-- the customer asks for online, with its state, its timeline and an audit trail.
-- submitted → in_review → done | rejected; a change that needs no review (contact
-- details) goes submitted → done at once. `payload` is what was asked for, already
-- masked where personal (an ID number is kept as its masked form and a keyed hash).
CREATE TABLE service_requests (
    id                TEXT PRIMARY KEY,
    customer_id       TEXT NOT NULL REFERENCES customers(id),
    policy_id         TEXT REFERENCES policies(id),      -- NULL for account changes (contact details)
    kind              TEXT NOT NULL CHECK (kind IN ('beneficiaries', 'contact', 'phone')),
    state             TEXT NOT NULL CHECK (state IN ('submitted', 'in_review', 'done', 'rejected')),
    payload           TEXT NOT NULL,
    reason            TEXT,                              -- why it was rejected, for the customer
    reviewer_staff_id TEXT REFERENCES staff(id),
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    decided_at        BIGINT
);
CREATE INDEX service_requests_customer ON service_requests (customer_id, created_at);
CREATE INDEX service_requests_queue ON service_requests (state, created_at);
-- One open request of a kind per policy: a double tap or a second tab asks once.
CREATE UNIQUE INDEX service_requests_one_open ON service_requests (policy_id, kind)
    WHERE state IN ('submitted', 'in_review');

-- The timeline: one row per state reached. A request reaches each state once, so two
-- reviewers approving at the same moment cannot both record it.
CREATE TABLE service_request_events (
    id             TEXT PRIMARY KEY,
    request_id     TEXT NOT NULL REFERENCES service_requests(id),
    customer_id    TEXT NOT NULL REFERENCES customers(id),
    from_state     TEXT,
    to_state       TEXT NOT NULL CHECK (to_state IN ('submitted', 'in_review', 'done', 'rejected')),
    actor_kind     TEXT NOT NULL CHECK (actor_kind IN ('customer', 'staff')),
    actor_staff_id TEXT REFERENCES staff(id),
    note           TEXT NOT NULL DEFAULT '',
    at             BIGINT NOT NULL
);
CREATE UNIQUE INDEX service_request_events_once ON service_request_events (request_id, to_state);

-- Beneficiaries' ID numbers as customers' are kept: masked for pages, a keyed hash to
-- compare; never whole.
ALTER TABLE beneficiaries ADD COLUMN id_number_masked TEXT NOT NULL DEFAULT '';
ALTER TABLE beneficiaries ADD COLUMN id_number_hash TEXT NOT NULL DEFAULT '';

-- Contact details the customer changes themselves (the phone number through two codes).
ALTER TABLE customers ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN email TEXT NOT NULL DEFAULT '';

-- Answers to a request the customer made are a category of their own.
ALTER TABLE sms_outbox DROP CONSTRAINT sms_outbox_category_check;
ALTER TABLE sms_outbox ADD CONSTRAINT sms_outbox_category_check
    CHECK (category IN ('login_code', 'payment_confirmation', 'renewal_reminder', 'claim_progress', 'service_notice', 'survey', 'marketing', 'sms_reply', 'servicing'));

-- A change of phone number is confirmed by a code to the old and one to the new number.
ALTER TABLE sms_codes DROP CONSTRAINT sms_codes_purpose_check;
ALTER TABLE sms_codes ADD CONSTRAINT sms_codes_purpose_check
    CHECK (purpose IN ('login', 'activate', 'step_up', 'link', 'phone_change'));
