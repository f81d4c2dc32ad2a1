-- The staff console (issue 19): staff phones, the customer's own say over being viewed,
-- and an audit log nothing can rewrite. Kept identical to
-- migrations/postgres/0007_staff_console.sql except for the trigger syntax.

-- A member of staff's own mobile number: "view as customer" is refused for the customer
-- record with this phone (nobody looks at, or helps, their own account from the console).
ALTER TABLE staff ADD COLUMN phone TEXT;

-- 1: staff helping the customer may view their account as they see it; 0: only the pages
-- of their open claims (claims handling cannot wait on a preference). The customer sets
-- it at /settings/access.
ALTER TABLE customers ADD COLUMN staff_view BIGINT NOT NULL DEFAULT 1;

-- What a request touched (its path), apart from what was done (`action`).
ALTER TABLE audit_log ADD COLUMN target TEXT;
CREATE INDEX audit_log_impersonation ON audit_log (impersonation_id, at);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX impersonations_staff ON impersonations (staff_id, started_at);

-- Append-only: no code path updates or deletes audit rows, and the database refuses it too.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
