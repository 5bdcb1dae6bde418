-- Decisions: the council's answers to every comment thread, its vote, publication and follow-up,
-- and the public record that chains what was decided (SQLite). Same shape as
-- migrations/postgres/0005_decisions.sql; keep them in step.

-- How the process's council votes: who must vote for a quorum, and what majority carries.
ALTER TABLE processes ADD COLUMN quorum TEXT NOT NULL DEFAULT 'half' CHECK (quorum IN ('half', 'two_thirds', 'all'));
ALTER TABLE processes ADD COLUMN majority TEXT NOT NULL DEFAULT 'simple' CHECK (majority IN ('simple', 'absolute', 'two_thirds'));

-- One decision per draft, from the moment its text is frozen. The frozen text, and its SHA-256,
-- are a named version of the draft (`version_number`); the voting rule is copied from the process
-- so that changing the process's rule later cannot change how a vote already under way counts.
CREATE TABLE decisions (
    id INTEGER PRIMARY KEY,
    process_id BIGINT NOT NULL REFERENCES processes (id) ON DELETE CASCADE,
    draft_id BIGINT NOT NULL UNIQUE REFERENCES drafts (id) ON DELETE CASCADE,
    version_number BIGINT,
    -- Each organisation's share of the frozen text, as JSON [{"org": id|null, "characters": n}].
    shares TEXT NOT NULL DEFAULT '[]',
    quorum TEXT NOT NULL,
    majority TEXT NOT NULL,
    frozen_by BIGINT NOT NULL REFERENCES people (id),
    frozen_by_name TEXT NOT NULL,
    frozen_at BIGINT NOT NULL,
    rationale TEXT NOT NULL DEFAULT '',
    -- The council's size when it was published, so the published result can be recomputed.
    council_size BIGINT,
    published_at BIGINT,
    published_by_name TEXT,
    review_on TEXT
);
CREATE INDEX decisions_by_process ON decisions (process_id, id);

-- Answers to threads. One answer may serve several threads of the same concern.
CREATE TABLE decision_answers (
    id INTEGER PRIMARY KEY,
    decision_id BIGINT NOT NULL REFERENCES decisions (id) ON DELETE CASCADE,
    disposition TEXT NOT NULL CHECK (disposition IN ('accepted', 'partly_accepted', 'not_accepted', 'out_of_scope')),
    reason TEXT NOT NULL,
    -- Words of the frozen text that show the change the thread led to.
    change_quote TEXT,
    person_id BIGINT NOT NULL REFERENCES people (id),
    actor_name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Which answer each top-level thread has (the latest given; earlier ones stay in the record).
CREATE TABLE decision_dispositions (
    decision_id BIGINT NOT NULL REFERENCES decisions (id) ON DELETE CASCADE,
    thread_id BIGINT NOT NULL REFERENCES comments (id),
    answer_id BIGINT NOT NULL REFERENCES decision_answers (id),
    PRIMARY KEY (decision_id, thread_id)
);

CREATE TABLE decision_votes (
    decision_id BIGINT NOT NULL REFERENCES decisions (id) ON DELETE CASCADE,
    person_id BIGINT NOT NULL REFERENCES people (id),
    voter_name TEXT NOT NULL,
    choice TEXT NOT NULL CHECK (choice IN ('for', 'against', 'abstain')),
    statement TEXT NOT NULL,
    cast_at BIGINT NOT NULL,
    PRIMARY KEY (decision_id, person_id)
);

-- Implementation updates after publication.
CREATE TABLE decision_updates (
    id INTEGER PRIMARY KEY,
    decision_id BIGINT NOT NULL REFERENCES decisions (id) ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (status IN ('planned', 'in_progress', 'done', 'delayed', 'dropped')),
    progress BIGINT NOT NULL CHECK (progress BETWEEN 0 AND 100),
    on_day TEXT NOT NULL,
    note TEXT NOT NULL,
    person_id BIGINT NOT NULL REFERENCES people (id),
    actor_name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX decision_updates_by_decision ON decision_updates (decision_id, on_day);

-- The public record (app/src/domain/record.rs): canonical JSON of each event, chained by SHA-256.
-- Append-only; `record_head` keeps the newest number and hash apart from the entries, so removing
-- the newest entries is found as surely as changing one. Appending updates the head first, which
-- makes concurrent appenders wait for each other (PostgreSQL locks the row; SQLite writes one
-- transaction at a time).
CREATE TABLE public_record (
    seq BIGINT PRIMARY KEY,
    at BIGINT NOT NULL,
    event TEXT NOT NULL,
    prev TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE TABLE record_head (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO record_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
