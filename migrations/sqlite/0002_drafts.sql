-- Drafts: proposals written together as Yjs documents (SQLite). Same shape as
-- migrations/postgres/0002_drafts.sql.

CREATE TABLE drafts (
    id INTEGER PRIMARY KEY,
    process_id BIGINT NOT NULL REFERENCES processes (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    -- The language the body is written in (a BCP 47 tag), for the lang attribute and search.
    language TEXT NOT NULL,
    summary TEXT NOT NULL,
    -- A mediator's lock: while set, nobody may write, whatever the phase.
    locked_at BIGINT,
    locked_by BIGINT REFERENCES people (id),
    created_by BIGINT NOT NULL REFERENCES people (id),
    created_at BIGINT NOT NULL
);
CREATE INDEX drafts_by_process ON drafts (process_id, id);

-- Every accepted update, append-only and stored before it is relayed to anyone, so that what any
-- participant saw survives a crash. The bytes are yrs's re-encoding of what was applied, never a
-- client's raw message. Rows are never deleted: snapshots only shorten what loading must read.
CREATE TABLE draft_updates (
    draft_id BIGINT NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    person_id BIGINT NOT NULL REFERENCES people (id),
    org_id BIGINT REFERENCES organisations (id),
    at BIGINT NOT NULL,
    update_v1 BLOB NOT NULL,
    PRIMARY KEY (draft_id, seq)
);

-- The whole document as of update `seq` (a Yjs state update): loading reads it and the tail.
CREATE TABLE draft_snapshots (
    draft_id BIGINT PRIMARY KEY REFERENCES drafts (id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    state_v1 BLOB NOT NULL,
    created_at BIGINT NOT NULL
);

-- Which person, speaking for which organisation, writes under each Yjs client id. A connection
-- may create content only under client ids bound to its person, so attribution cannot be forged.
CREATE TABLE draft_clients (
    draft_id BIGINT NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    client_id BIGINT NOT NULL,
    person_id BIGINT NOT NULL REFERENCES people (id),
    org_id BIGINT REFERENCES organisations (id),
    PRIMARY KEY (draft_id, client_id)
);

-- Named versions: the text as it was, its SHA-256, and the document state to return to.
CREATE TABLE draft_versions (
    draft_id BIGINT NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    number BIGINT NOT NULL,
    name TEXT NOT NULL,
    body TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    state_v1 BLOB NOT NULL,
    person_id BIGINT NOT NULL REFERENCES people (id),
    actor_name TEXT NOT NULL,
    org_id BIGINT REFERENCES organisations (id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (draft_id, number)
);
