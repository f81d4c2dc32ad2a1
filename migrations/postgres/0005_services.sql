-- Service booking and roadside assistance (issue 18). Kept identical to
-- migrations/sqlite/0005_services.sql, which explains each table.

-- Uses of an entitlement in one policy year (the policy's current term): one row per
-- (policy, service kind, year). Spending the last use is one guarded UPDATE
-- (`SET used = used + 1 WHERE … AND used < allowed`), in the transaction that takes the
-- slot place, so two bookings on two slots can never both spend it. `allowed` is copied
-- from the product when the year's row is made; `year_end` answers "until when".
CREATE TABLE entitlement_usage (
    policy_id       TEXT NOT NULL REFERENCES policies(id),
    service_kind_id TEXT NOT NULL REFERENCES service_kinds(id),
    year_start      TEXT NOT NULL,                 -- first day of the term, YYYY-MM-DD
    year_end        TEXT NOT NULL,                 -- last day of the term
    customer_id     TEXT NOT NULL REFERENCES customers(id),
    allowed         BIGINT NOT NULL CHECK (allowed > 0),
    used            BIGINT NOT NULL DEFAULT 0,
    CHECK (used >= 0 AND used <= allowed),
    PRIMARY KEY (policy_id, service_kind_id, year_start)
);

-- The policy year a booking spent its use in, so cancelling gives back that one.
ALTER TABLE bookings ADD COLUMN usage_year TEXT NOT NULL DEFAULT '';
ALTER TABLE bookings ADD COLUMN reminded_at BIGINT;
CREATE INDEX bookings_slot ON bookings (slot_id, state);
-- A double tap on "confirm" books once: one live booking per policy and slot.
CREATE UNIQUE INDEX bookings_one_per_slot ON bookings (policy_id, slot_id) WHERE state = 'booked';

-- A week of slots made twice is still one week.
CREATE UNIQUE INDEX slots_provider_start ON slots (provider_id, starts_at);

-- Roadside help is not an appointment: it has no slot, a place given as text, a car, a
-- call-back number and its own states (received → dispatched → arrived → completed).
-- Its own table rather than a nullable bookings.slot_id: every booking keeps a slot (the
-- capacity guard and the reschedule rules stay simple and total), and the request's own
-- columns never sit empty on appointments. `usage_year` is NULL when the year's calls
-- were used up: help still comes (nobody is left by the road), at the provider's rates.
CREATE TABLE roadside_requests (
    id             TEXT PRIMARY KEY,
    request_no     TEXT NOT NULL UNIQUE,            -- RA + date + digits, read out on the phone
    customer_id    TEXT NOT NULL REFERENCES customers(id),
    policy_id      TEXT NOT NULL REFERENCES policies(id),
    service_kind_id TEXT NOT NULL REFERENCES service_kinds(id),
    usage_year     TEXT,
    location       TEXT NOT NULL,
    plate          TEXT NOT NULL,
    what_happened  TEXT NOT NULL,
    callback_phone TEXT NOT NULL,
    state          TEXT NOT NULL CHECK (state IN ('received', 'dispatched', 'arrived', 'completed')),
    created_at     BIGINT NOT NULL,
    dispatched_at  BIGINT,
    arrived_at     BIGINT,
    completed_at   BIGINT,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX roadside_requests_customer ON roadside_requests (customer_id, created_at);
CREATE INDEX roadside_requests_state ON roadside_requests (state, created_at);

-- Roadside providers take calls, not appointments: their (never booked) slots go.
DELETE FROM slots WHERE booked = 0
  AND id NOT IN (SELECT slot_id FROM bookings)
  AND provider_id IN (SELECT p.id FROM providers p JOIN service_kinds k ON k.id = p.service_kind_id
                      WHERE k.code = 'roadside_assistance');

-- Survey subjects include roadside requests.
ALTER TABLE survey_invitations DROP CONSTRAINT survey_invitations_subject_kind_check;
ALTER TABLE survey_invitations ADD CONSTRAINT survey_invitations_subject_kind_check
    CHECK (subject_kind IN ('booking', 'roadside', 'claim'));
