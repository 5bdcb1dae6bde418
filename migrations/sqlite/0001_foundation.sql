-- Baraza's foundation: people, organisations, processes and sign-in sessions (SQLite).
-- The PostgreSQL migration of the same number creates the same tables; keep them in step.
-- Times are milliseconds since the Unix epoch (BIGINT), days are 'YYYY-MM-DD' text, and
-- multilingual texts are JSON objects keyed by language tag: portable across both databases.

CREATE TABLE people (
    id INTEGER PRIMARY KEY,
    -- Stored lower-cased and trimmed (see app/src/domain/account.rs), so uniqueness is case-blind.
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    -- Argon2id PHC string; never leaves the store except to be verified.
    password_hash TEXT NOT NULL,
    language TEXT NOT NULL,
    -- A text role rather than a boolean: portable, and room for more site roles.
    site_role TEXT NOT NULL DEFAULT 'member' CHECK (site_role IN ('member', 'admin')),
    created_at BIGINT NOT NULL
);

CREATE TABLE organisations (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('government', 'civil_society', 'private_sector', 'academia',
        'union', 'religious_body', 'customary_authority', 'community_group')),
    created_by BIGINT REFERENCES people (id),
    created_at BIGINT NOT NULL,
    -- Unverified organisations (NULL) cannot take a role in a process.
    verified_at BIGINT,
    verified_by BIGINT REFERENCES people (id)
);

CREATE TABLE memberships (
    org_id BIGINT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    person_id BIGINT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    joined_at BIGINT NOT NULL,
    PRIMARY KEY (org_id, person_id)
);
CREATE INDEX memberships_by_person ON memberships (person_id);

CREATE TABLE processes (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('national', 'regional', 'local')),
    -- Comma-separated language tags, the main language first.
    languages TEXT NOT NULL,
    phase TEXT NOT NULL CHECK (phase IN ('framing', 'drafting', 'public_comment', 'deliberation',
        'decision', 'follow_up', 'closed')),
    rules TEXT NOT NULL,
    who_decides TEXT NOT NULL,
    legal_basis TEXT NOT NULL,
    input_outcome TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- The planned dates of each phase; the current phase is set explicitly on the process, because
-- a council, not a calendar, decides when deliberation is over.
CREATE TABLE process_phases (
    process_id BIGINT NOT NULL REFERENCES processes (id) ON DELETE CASCADE,
    phase TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL CHECK (ends_on >= starts_on),
    PRIMARY KEY (process_id, phase)
);

CREATE TABLE process_organisations (
    process_id BIGINT NOT NULL REFERENCES processes (id) ON DELETE CASCADE,
    org_id BIGINT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('co_drafter', 'participant')),
    added_at BIGINT NOT NULL,
    PRIMARY KEY (process_id, org_id)
);

CREATE TABLE process_people (
    process_id BIGINT NOT NULL REFERENCES processes (id) ON DELETE CASCADE,
    person_id BIGINT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('mediator', 'council_member')),
    added_at BIGINT NOT NULL,
    PRIMARY KEY (process_id, person_id, role)
);

-- The public activity log of a process: who did what, and for which organisation. Append-only.
CREATE TABLE process_events (
    id INTEGER PRIMARY KEY,
    process_id BIGINT NOT NULL REFERENCES processes (id) ON DELETE CASCADE,
    at BIGINT NOT NULL,
    person_id BIGINT NOT NULL REFERENCES people (id),
    -- The actor's display name as it was: renaming oneself later does not rewrite the record.
    actor_name TEXT NOT NULL,
    org_id BIGINT REFERENCES organisations (id),
    -- The event as JSON (app/src/model.rs EventKind).
    detail TEXT NOT NULL,
    -- The name of the organisation or person the event is about, as it was at the time.
    subject_name TEXT
);
CREATE INDEX process_events_by_process ON process_events (process_id, id);

-- Sign-in sessions (tower-sessions records as JSON), so they survive a restart.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    -- Whose session it is (NULL while signed out), so that a password change can end the others.
    person_id BIGINT REFERENCES people (id) ON DELETE CASCADE
);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);
CREATE INDEX sessions_by_person ON sessions (person_id);

-- Sign-in attempts per email address and per network address (and sign-ups per address),
-- counted before the password is checked, shared by every server node.
CREATE TABLE sign_in_throttle (
    key TEXT PRIMARY KEY,
    attempts BIGINT NOT NULL,
    window_started_at BIGINT NOT NULL,
    locked_until BIGINT
);
