-- Complaint cases, part 2 (issue 23). Kept in step with migrations/sqlite/0015_case_links_files.sql.

-- A short link may land on one case (view it and reply to it, nothing else).
ALTER TABLE short_links DROP CONSTRAINT short_links_purpose_check;
ALTER TABLE short_links ADD CONSTRAINT short_links_purpose_check
    CHECK (purpose IN ('renewal', 'claim', 'survey', 'booking', 'roadside', 'case'));

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

-- Deadline warnings (50 % and 80 % of the time gone, overdue) raised by the scheduled job,
-- once per case, round and level: the `warned` timeline entry staff see.
ALTER TABLE case_events DROP CONSTRAINT case_events_kind_check;
ALTER TABLE case_events ADD CONSTRAINT case_events_kind_check
    CHECK (kind IN ('state', 'reply', 'taken', 'handover_offered', 'handover_accepted', 'extended', 'warned', 'linked'));
