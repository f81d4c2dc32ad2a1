-- Satisfaction surveys (issue 18). Kept identical to migrations/sqlite/0006_surveys.sql.

-- One preference flag covered service notices and surveys together: split it, so that
-- opting out of surveys keeps appointment reminders. Both start from the old value.
ALTER TABLE notification_preferences ADD COLUMN service_notice BIGINT NOT NULL DEFAULT 1;
ALTER TABLE notification_preferences ADD COLUMN survey BIGINT NOT NULL DEFAULT 1;
UPDATE notification_preferences SET service_notice = service_survey, survey = service_survey;
ALTER TABLE notification_preferences DROP COLUMN service_survey;

-- What was served, for results by kind: a booking's service kind code, or 'roadside',
-- or 'claim'. Copied when the invitation is made, so results never join three tables.
ALTER TABLE survey_invitations ADD COLUMN service TEXT NOT NULL DEFAULT '';
UPDATE survey_invitations SET service = subject_kind WHERE subject_kind IN ('roadside', 'claim');
UPDATE survey_invitations SET service = COALESCE(
    (SELECT k.code FROM bookings b JOIN service_kinds k ON k.id = b.service_kind_id
     WHERE b.id = survey_invitations.subject_id), 'booking')
    WHERE subject_kind = 'booking';
CREATE INDEX survey_invitations_sent ON survey_invitations (sent_at);
CREATE INDEX survey_responses_answered ON survey_responses (answered_at);

-- At most one invitation per customer per 30 days: the last one's time, claimed by one
-- guarded upsert (`… DO UPDATE … WHERE last_invited_at <= cutoff`), so two completions
-- at once for one customer invite once.
CREATE TABLE survey_fatigue (
    customer_id     TEXT PRIMARY KEY REFERENCES customers(id),
    last_invited_at BIGINT NOT NULL
);
INSERT INTO survey_fatigue (customer_id, last_invited_at)
    SELECT customer_id, MAX(sent_at) FROM survey_invitations GROUP BY customer_id;
