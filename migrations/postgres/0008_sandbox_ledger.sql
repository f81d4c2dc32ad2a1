-- The sandbox payment provider's own ledger. A real provider keeps its books on its own
-- side, so a restart of our server changes nothing it knows; the sandbox keeps them here.
-- One row per idempotency key: the same key is the same charge, never two.
CREATE TABLE sandbox_ledger (
    idempotency_key TEXT PRIMARY KEY,
    gateway_ref     TEXT NOT NULL UNIQUE,
    amount_fen      BIGINT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    failure_code    TEXT,
    -- Callbacks still to deliver, and when the next one is due (unix milliseconds, the
    -- provider's clock); a callback cut off by a crash is delivered after the restart.
    callbacks_left  BIGINT NOT NULL DEFAULT 0,
    callback_due_ms BIGINT,
    created_at      BIGINT NOT NULL
);
CREATE INDEX sandbox_ledger_due ON sandbox_ledger (callback_due_ms) WHERE callbacks_left > 0;
