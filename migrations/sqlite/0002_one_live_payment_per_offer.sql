-- At most one payment per renewal offer may be under way or done; a failed or expired
-- one frees the offer for another try. Two pay clicks with different keys cannot both charge.
DROP INDEX payments_one_success_per_offer;
CREATE UNIQUE INDEX payments_one_live_per_offer ON payments (offer_id) WHERE state IN ('created', 'pending', 'succeeded');

-- The gateway token of the method chosen, so reconciliation can re-submit a charge that
-- never reached the provider. A token, never a card number.
ALTER TABLE payments ADD COLUMN method_token TEXT NOT NULL DEFAULT '';
