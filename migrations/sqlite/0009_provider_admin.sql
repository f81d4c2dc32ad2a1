-- Admins manage service providers at /staff/providers (issue 18). Kept identical to
-- migrations/postgres/0009_provider_admin.sql.

-- 1: offered to customers and given new slots; 0: deactivated. Existing appointments at a
-- deactivated provider stay valid (their slots and bookings are untouched). A number, not
-- BOOLEAN: the Any driver cannot decode SQLite's BOOLEAN.
ALTER TABLE providers ADD COLUMN active BIGINT NOT NULL DEFAULT 1;
-- The provider's own number for customers, optional (mobile or fixed line, digits only).
ALTER TABLE providers ADD COLUMN phone TEXT;
-- When an admin last changed it; NULL for providers never edited.
ALTER TABLE providers ADD COLUMN updated_at BIGINT;
CREATE INDEX providers_kind_active ON providers (service_kind_id, active);
