-- Complaint and question cases (issue 23). Kept in step with migrations/postgres/0014_cases.sql.
--
-- SMS about a case (opened, deadline extended, answered) go out in the outbox category
-- `servicing`: like a servicing request, a case is something the customer asked us for,
-- so its answers are never capped or suppressed by preferences and wait out quiet hours.
-- Reusing it spares SQLite a third copy of sms_outbox (it cannot widen a CHECK) while 0013
-- may change that table too.

-- A case: a complaint or a question, one owner at a time (首问负责制), a deadline the
-- customer sees. received → acknowledged → in_progress → resolved → closed; resolved (or
-- closed) → reopened within 30 days → in_progress; withdrawn by the customer while open.
CREATE TABLE cases (
    id                   TEXT PRIMARY KEY,
    case_no              TEXT NOT NULL UNIQUE,          -- TS2026-000123, counted per year
    customer_id          TEXT NOT NULL REFERENCES customers(id),
    kind                 TEXT NOT NULL CHECK (kind IN ('complaint', 'question')),
    category             TEXT NOT NULL CHECK (category IN ('policy', 'claim', 'payment', 'service', 'staff')),
    subject_id           TEXT,                          -- the customer's policy, claim, payment or booking
    about_staff_id       TEXT REFERENCES staff(id),     -- the member of staff complained about
    about_staff_name     TEXT NOT NULL DEFAULT '',      -- or named in the customer's words
    body                 TEXT NOT NULL,
    state                TEXT NOT NULL CHECK (state IN ('received', 'acknowledged', 'in_progress', 'resolved', 'closed', 'reopened', 'withdrawn')),
    owner_staff_id       TEXT REFERENCES staff(id),     -- the first to take it, until a handover is accepted
    handover_to_staff_id TEXT REFERENCES staff(id),     -- offered, not yet accepted
    -- The clock of the current round: received (or reopened) at clock_start_at, due at
    -- due_at; `extensions` 0, 1 (to 30 days) or 2 (to 60, a supervisor's approval).
    received_at          BIGINT NOT NULL,
    clock_start_at       BIGINT NOT NULL,
    due_at               BIGINT NOT NULL,
    extensions           BIGINT NOT NULL DEFAULT 0,
    round                BIGINT NOT NULL DEFAULT 0,     -- times reopened
    final_answer         TEXT,
    root_cause           TEXT,                          -- staff only: domain::cases::RootCause
    resolved_at          BIGINT,
    closed_at            BIGINT,
    updated_at           BIGINT NOT NULL,
    CHECK (owner_staff_id IS NULL OR about_staff_id IS NULL OR owner_staff_id <> about_staff_id)
);
CREATE INDEX cases_customer ON cases (customer_id, received_at);
CREATE INDEX cases_queue ON cases (state, due_at);
CREATE INDEX cases_owner ON cases (owner_staff_id, state);

CREATE TABLE case_numbers (
    year BIGINT PRIMARY KEY,
    last BIGINT NOT NULL
);

-- The timeline: state changes, replies (either side), taking, handovers, extensions.
-- `once_key` names a one-time step (`taken`, `acknowledged:0`, `resolved:1` …): unique per
-- case, so two staff doing it at once record it once. Replies have none.
CREATE TABLE case_events (
    id             TEXT PRIMARY KEY,
    case_id        TEXT NOT NULL REFERENCES cases(id),
    customer_id    TEXT NOT NULL REFERENCES customers(id),
    kind           TEXT NOT NULL CHECK (kind IN ('state', 'reply', 'taken', 'handover_offered', 'handover_accepted', 'extended')),
    to_state       TEXT,
    actor_kind     TEXT NOT NULL CHECK (actor_kind IN ('customer', 'staff')),
    actor_staff_id TEXT REFERENCES staff(id),
    body           TEXT NOT NULL DEFAULT '',
    once_key       TEXT,
    at             BIGINT NOT NULL
);
CREATE INDEX case_events_case ON case_events (case_id, at);
CREATE UNIQUE INDEX case_events_once ON case_events (case_id, once_key);

-- Deadline extensions: step 1 to 30 days with a reason, step 2 to 60 with the approving
-- supervisor recorded. One of each per round.
CREATE TABLE case_extensions (
    id              TEXT PRIMARY KEY,
    case_id         TEXT NOT NULL REFERENCES cases(id),
    round           BIGINT NOT NULL,
    step            BIGINT NOT NULL CHECK (step IN (1, 2)),
    reason          TEXT NOT NULL,
    staff_id        TEXT NOT NULL REFERENCES staff(id),
    approved_by     TEXT REFERENCES staff(id),
    old_due_at      BIGINT NOT NULL,
    new_due_at      BIGINT NOT NULL,
    at              BIGINT NOT NULL,
    CHECK (step = 1 OR approved_by IS NOT NULL)
);
CREATE UNIQUE INDEX case_extensions_once ON case_extensions (case_id, round, step);
