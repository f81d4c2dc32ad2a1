-- The staff console (issue 19). Kept identical to migrations/sqlite/0007_staff_console.sql,
-- which explains each change, except for the trigger syntax.

ALTER TABLE staff ADD COLUMN phone TEXT;
ALTER TABLE customers ADD COLUMN staff_view BIGINT NOT NULL DEFAULT 1;
ALTER TABLE audit_log ADD COLUMN target TEXT;
CREATE INDEX audit_log_impersonation ON audit_log (impersonation_id, at);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX impersonations_staff ON impersonations (staff_id, started_at);

-- Append-only: UPDATE, DELETE and TRUNCATE are refused, whoever asks.
CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
