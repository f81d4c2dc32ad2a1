-- A provider that fails: a message is tried again with growing pauses and given up after
-- a day (a login code after 10 minutes, when it is of no use any more), and staff see the
-- provider's last answer. The state stays within the existing ones: a retry waits as
-- 'deferred', a message given up is 'suppressed' with the reason 'gave_up'.
ALTER TABLE sms_outbox ADD COLUMN attempts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sms_outbox ADD COLUMN last_error TEXT;
