-- Policy servicing, part 2 (保全, issue 21): the payout account, the auto-debit method and
-- policy loans. Kept in step with migrations/postgres/0013_servicing_money.sql.

-- New request kinds. SQLite cannot widen a CHECK: the requests are copied into a table
-- that allows them, and their timeline with them (it references the requests, so it is
-- dropped first and renamed last; RENAME rewrites the reference).
CREATE TABLE service_requests_new (
    id                TEXT PRIMARY KEY,
    customer_id       TEXT NOT NULL REFERENCES customers(id),
    policy_id         TEXT REFERENCES policies(id),
    kind              TEXT NOT NULL CHECK (kind IN ('beneficiaries', 'contact', 'phone', 'debit_method', 'payout_account', 'loan')),
    state             TEXT NOT NULL CHECK (state IN ('submitted', 'in_review', 'done', 'rejected')),
    payload           TEXT NOT NULL,
    reason            TEXT,
    reviewer_staff_id TEXT REFERENCES staff(id),
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    decided_at        BIGINT
);
CREATE TABLE service_request_events_new (
    id             TEXT PRIMARY KEY,
    request_id     TEXT NOT NULL REFERENCES service_requests_new(id),
    customer_id    TEXT NOT NULL REFERENCES customers(id),
    from_state     TEXT,
    to_state       TEXT NOT NULL CHECK (to_state IN ('submitted', 'in_review', 'done', 'rejected')),
    actor_kind     TEXT NOT NULL CHECK (actor_kind IN ('customer', 'staff')),
    actor_staff_id TEXT REFERENCES staff(id),
    note           TEXT NOT NULL DEFAULT '',
    at             BIGINT NOT NULL
);
INSERT INTO service_requests_new (id, customer_id, policy_id, kind, state, payload, reason,
        reviewer_staff_id, created_at, updated_at, decided_at)
    SELECT id, customer_id, policy_id, kind, state, payload, reason,
        reviewer_staff_id, created_at, updated_at, decided_at FROM service_requests;
INSERT INTO service_request_events_new (id, request_id, customer_id, from_state, to_state,
        actor_kind, actor_staff_id, note, at)
    SELECT id, request_id, customer_id, from_state, to_state,
        actor_kind, actor_staff_id, note, at FROM service_request_events;
DROP TABLE service_request_events;
DROP TABLE service_requests;
ALTER TABLE service_requests_new RENAME TO service_requests;
ALTER TABLE service_request_events_new RENAME TO service_request_events;
CREATE INDEX service_requests_customer ON service_requests (customer_id, created_at);
CREATE INDEX service_requests_queue ON service_requests (state, created_at);
CREATE UNIQUE INDEX service_requests_one_open ON service_requests (policy_id, kind)
    WHERE state IN ('submitted', 'in_review');
CREATE UNIQUE INDEX service_request_events_once ON service_request_events (request_id, to_state);

-- The account's payout account (理赔/借款收款账户) and auto-debit method (续期扣款方式),
-- each changed by the customer after a step-up check and always shown masked. The
-- auto-debit method is one of the saved methods (NULL: the default one, as before). The
-- payout account is a saved method (`method`) or a bank account (`bank`) whose whole
-- number only a payout needs; pages get `payout_masked`. The two are separate; the
-- customer may point the payout account at the auto-debit card to use one for both.
ALTER TABLE customers ADD COLUMN debit_method_id TEXT REFERENCES payment_methods(id);
ALTER TABLE customers ADD COLUMN payout_kind TEXT CHECK (payout_kind IN ('method', 'bank'));
ALTER TABLE customers ADD COLUMN payout_method_id TEXT REFERENCES payment_methods(id);
ALTER TABLE customers ADD COLUMN payout_bank TEXT;
ALTER TABLE customers ADD COLUMN payout_account_no TEXT;
ALTER TABLE customers ADD COLUMN payout_masked TEXT;

-- A life policy's cash value (现金价值) as the insurer's core system last valued it, and
-- on which day: what a policy loan is measured against. NULL: no cash value.
ALTER TABLE policies ADD COLUMN cash_value_fen BIGINT CHECK (cash_value_fen >= 0);
ALTER TABLE policies ADD COLUMN cash_value_on TEXT;

-- A policy loan (保单贷款) made when its request was approved: at most one per request
-- (two reviewers approving at once make one loan) and one outstanding per policy. The
-- rate and the repayment date are fixed when it is made; the balance is worked out from
-- them (simple interest by the day). Paid out to the payout account named in it.
CREATE TABLE policy_loans (
    id              TEXT PRIMARY KEY,
    request_id      TEXT NOT NULL UNIQUE REFERENCES service_requests(id),
    policy_id       TEXT NOT NULL REFERENCES policies(id),
    customer_id     TEXT NOT NULL REFERENCES customers(id),
    principal_fen   BIGINT NOT NULL CHECK (principal_fen > 0),
    rate_bp         BIGINT NOT NULL CHECK (rate_bp >= 0),
    start_date      TEXT NOT NULL,
    due_date        TEXT NOT NULL,
    payout_masked   TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('outstanding', 'repaid')),
    repaid_at       BIGINT,
    created_at      BIGINT NOT NULL
);
CREATE UNIQUE INDEX policy_loans_one_outstanding ON policy_loans (policy_id) WHERE state = 'outstanding';
CREATE INDEX policy_loans_customer ON policy_loans (customer_id);
