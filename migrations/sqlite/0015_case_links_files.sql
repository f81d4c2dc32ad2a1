-- Complaint cases, part 2 (issue 23). Kept in step with migrations/postgres/0015_case_links_files.sql.
--
-- SQLite cannot widen a CHECK: short_links (new purpose `case`) and case_events (new kinds
-- `warned` and `linked`) are copied into tables that allow them. Nothing references
-- short_links or case_events (case_files, below, is made after the copy).

-- A short link may land on one case (view it and reply to it, nothing else).
CREATE TABLE short_links_new (
    code          TEXT PRIMARY KEY,
    customer_id   TEXT NOT NULL REFERENCES customers(id),
    purpose       TEXT NOT NULL CHECK (purpose IN ('renewal', 'claim', 'survey', 'booking', 'roadside', 'case')),
    target_id     TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    failed_checks BIGINT NOT NULL DEFAULT 0,
    locked_until  BIGINT
);
INSERT INTO short_links_new (code, customer_id, purpose, target_id, created_at, expires_at, failed_checks, locked_until)
    SELECT code, customer_id, purpose, target_id, created_at, expires_at, failed_checks, locked_until FROM short_links;
DROP TABLE short_links;
ALTER TABLE short_links_new RENAME TO short_links;
CREATE INDEX short_links_customer ON short_links (customer_id);

-- Deadline warnings (50 % and 80 % of the time gone, overdue) raised by the scheduled job,
-- once per case, round and level: the `warned` timeline entry staff see. `linked`: staff
-- linked a document the portal already holds.
CREATE TABLE case_events_new (
    id             TEXT PRIMARY KEY,
    case_id        TEXT NOT NULL REFERENCES cases(id),
    customer_id    TEXT NOT NULL REFERENCES customers(id),
    kind           TEXT NOT NULL CHECK (kind IN ('state', 'reply', 'taken', 'handover_offered', 'handover_accepted', 'extended', 'warned', 'linked')),
    to_state       TEXT,
    actor_kind     TEXT NOT NULL CHECK (actor_kind IN ('customer', 'staff')),
    actor_staff_id TEXT REFERENCES staff(id),
    body           TEXT NOT NULL DEFAULT '',
    once_key       TEXT,
    at             BIGINT NOT NULL
);
INSERT INTO case_events_new (id, case_id, customer_id, kind, to_state, actor_kind, actor_staff_id, body, once_key, at)
    SELECT id, case_id, customer_id, kind, to_state, actor_kind, actor_staff_id, body, once_key, at FROM case_events;
DROP TABLE case_events;
ALTER TABLE case_events_new RENAME TO case_events;
CREATE INDEX case_events_case ON case_events (case_id, at);
CREATE UNIQUE INDEX case_events_once ON case_events (case_id, once_key);

-- What came with a case's message (the opening text or a reply): a file the customer sent
-- (`storage_key`, under the claims upload rules), or a claim file the portal already holds,
-- linked by staff instead of asking for it again (`claim_file_id`, no copy). Never both.
CREATE TABLE case_files (
    id            TEXT PRIMARY KEY,
    case_id       TEXT NOT NULL REFERENCES cases(id),
    customer_id   TEXT NOT NULL REFERENCES customers(id),
    event_id      TEXT NOT NULL REFERENCES case_events(id),
    storage_key   TEXT,
    claim_file_id TEXT REFERENCES claim_files(id),
    kind          TEXT NOT NULL CHECK (kind IN ('jpeg', 'png', 'pdf')),
    size_bytes    BIGINT NOT NULL,
    name          TEXT NOT NULL DEFAULT '',
    added_at      BIGINT NOT NULL,
    CHECK ((storage_key IS NULL) <> (claim_file_id IS NULL))
);
CREATE INDEX case_files_case ON case_files (case_id);
-- A document on file is linked to a case once.
CREATE UNIQUE INDEX case_files_linked ON case_files (case_id, claim_file_id);

-- What a person typed into a form that came back with an error (a refused attachment, say),
-- so the page can show it again: one per session and form, for a short while. Deleted when
-- the form goes through.
CREATE TABLE form_drafts (
    session_hash TEXT NOT NULL,
    form         TEXT NOT NULL,
    fields       TEXT NOT NULL,
    expires_at   BIGINT NOT NULL,
    PRIMARY KEY (session_hash, form)
);
CREATE INDEX form_drafts_expires ON form_drafts (expires_at);
