-- Sittings: live meetings of a process, chaired by a mediator (SQLite). Same shape as
-- migrations/postgres/0004_sittings.sql; keep them in step.

CREATE TABLE sittings (
    id INTEGER PRIMARY KEY,
    process_id BIGINT NOT NULL REFERENCES processes (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    starts_at BIGINT NOT NULL,
    -- Where it happens: a place, a link, or both, as the mediator wrote it.
    place TEXT NOT NULL,
    -- 1 when the public may watch live.
    public BIGINT NOT NULL CHECK (public IN (0, 1)),
    -- How long a turn at speaking may run, in seconds (the timer shows when it is over).
    turn_seconds BIGINT NOT NULL,
    -- The minutes: a Yjs document co-edited like a draft, read-only once the sitting closes. It
    -- is listed with the sitting, never among the process's drafts.
    minutes_draft_id BIGINT NOT NULL REFERENCES drafts (id),
    -- The live state (app/src/domain/sitting.rs LiveState) as JSON, and its version: every
    -- change is stored before anyone sees it, and a change made on a stale version is refused.
    state TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES people (id),
    created_at BIGINT NOT NULL,
    closed_at BIGINT
);
CREATE INDEX sittings_by_process ON sittings (process_id, starts_at);

-- The agenda, in order; an item may point at a draft passage's comment thread or at a draft.
CREATE TABLE sitting_items (
    sitting_id BIGINT NOT NULL REFERENCES sittings (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    text TEXT NOT NULL,
    draft_id BIGINT REFERENCES drafts (id),
    thread_id BIGINT REFERENCES comments (id),
    PRIMARY KEY (sitting_id, position)
);

-- The organisations whose representatives are invited to speak.
CREATE TABLE sitting_invitations (
    sitting_id BIGINT NOT NULL REFERENCES sittings (id) ON DELETE CASCADE,
    org_id BIGINT NOT NULL REFERENCES organisations (id),
    PRIMARY KEY (sitting_id, org_id)
);

-- People who may write the minutes with the chair.
CREATE TABLE sitting_note_takers (
    sitting_id BIGINT NOT NULL REFERENCES sittings (id) ON DELETE CASCADE,
    person_id BIGINT NOT NULL REFERENCES people (id),
    PRIMARY KEY (sitting_id, person_id)
);

-- Speaking in a process's sittings needs its rules of engagement accepted, once.
CREATE TABLE rules_acceptances (
    process_id BIGINT NOT NULL REFERENCES processes (id) ON DELETE CASCADE,
    person_id BIGINT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    accepted_at BIGINT NOT NULL,
    PRIMARY KEY (process_id, person_id)
);
