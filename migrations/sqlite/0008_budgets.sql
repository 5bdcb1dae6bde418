-- Participatory budgeting (SQLite): budgets, their areas and projects, reviews, eligibility, and
-- the two halves of a vote that must never meet: *that* someone voted, and *what* was voted.
-- Same shape as migrations/postgres/0008_budgets.sql; keep them in step.

-- A budget belongs to a process (one per process) and moves forward through its own phases.
-- `census_key` keys the census hashes (HMAC-SHA256): without it a hash of a national id number
-- could be reversed by trying every number. It never leaves the store.
CREATE TABLE budgets (
    id INTEGER PRIMARY KEY,
    process_id BIGINT NOT NULL UNIQUE REFERENCES processes (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    currency TEXT NOT NULL,
    phase TEXT NOT NULL DEFAULT 'proposals' CHECK (phase IN ('proposals', 'review', 'voting', 'results', 'implementation')),
    census_key TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES people (id),
    created_at BIGINT NOT NULL,
    -- When the count was published (the results phase began).
    counted_at BIGINT
);

-- An area (the whole city, or a district) with its own amount, its voting rules and who may vote
-- in it. The rules cannot change once the budget's voting opens (checked in the store).
CREATE TABLE budget_areas (
    id INTEGER PRIMARY KEY,
    budget_id BIGINT NOT NULL REFERENCES budgets (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    amount BIGINT NOT NULL CHECK (amount > 0),
    project_cap BIGINT NOT NULL DEFAULT 0 CHECK (project_cap >= 0),
    ballot TEXT NOT NULL CHECK (ballot IN ('approval', 'knapsack')),
    min_projects BIGINT NOT NULL DEFAULT 1,
    max_projects BIGINT NOT NULL DEFAULT 5,
    rule TEXT NOT NULL CHECK (rule IN ('greedy', 'equal_shares')),
    tie_break TEXT NOT NULL CHECK (tie_break IN ('lower_cost', 'earlier_proposal')),
    -- Who may vote: accounts checked against the census list, printed one-time codes, or both.
    census BIGINT NOT NULL DEFAULT 1 CHECK (census IN (0, 1)),
    codes BIGINT NOT NULL DEFAULT 1 CHECK (codes IN (0, 1)),
    -- The count, once published: JSON {"winners": [id…], "votes": [[id, n]…], "spent": n, "leftover": n, "ballots": n}.
    result TEXT
);
CREATE INDEX budget_areas_by_budget ON budget_areas (budget_id, position);

-- Officers and reviewers, named by the process's mediators for one budget.
CREATE TABLE budget_staff (
    budget_id BIGINT NOT NULL REFERENCES budgets (id) ON DELETE CASCADE,
    person_id BIGINT NOT NULL REFERENCES people (id),
    role TEXT NOT NULL CHECK (role IN ('officer', 'reviewer')),
    PRIMARY KEY (budget_id, person_id, role)
);

-- Projects: proposed online by a person, or recorded from paper by an officer (then the proposer
-- may have no account: `proposer_id` NULL, the name as written, and the meeting it came from).
CREATE TABLE budget_projects (
    id INTEGER PRIMARY KEY,
    budget_id BIGINT NOT NULL REFERENCES budgets (id) ON DELETE CASCADE,
    area_id BIGINT NOT NULL REFERENCES budget_areas (id),
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    place TEXT NOT NULL DEFAULT '',
    category TEXT NOT NULL,
    estimated_cost BIGINT NOT NULL CHECK (estimated_cost > 0),
    image_alt TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'feasible', 'not_feasible', 'merged', 'selected', 'not_selected')),
    proposer_id BIGINT REFERENCES people (id),
    proposer_name TEXT NOT NULL,
    paper_meeting TEXT,
    recorded_by BIGINT REFERENCES people (id),
    recorded_by_name TEXT,
    -- The technical review: feasible with the reviewed cost, or not with a coded reason; always
    -- with a public explanation. A merged proposal names the one it went into.
    reviewed_cost BIGINT,
    review_reason TEXT,
    review_explanation TEXT,
    reviewed_by_name TEXT,
    reviewed_at BIGINT,
    merged_into BIGINT REFERENCES budget_projects (id),
    created_at BIGINT NOT NULL
);
CREATE INDEX budget_projects_by_budget ON budget_projects (budget_id, area_id, id);

-- Implementation reports per winning project (the decision's follow-up, per project).
CREATE TABLE budget_project_updates (
    id INTEGER PRIMARY KEY,
    project_id BIGINT NOT NULL REFERENCES budget_projects (id) ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (status IN ('planned', 'in_progress', 'done', 'delayed', 'dropped')),
    progress BIGINT NOT NULL CHECK (progress BETWEEN 0 AND 100),
    on_day TEXT NOT NULL,
    note TEXT NOT NULL,
    person_id BIGINT NOT NULL REFERENCES people (id),
    actor_name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- The census: HMAC-SHA256 (the budget's key) of the normalised identifying fields, per area.
-- Never the list in clear. A claim binds one census entry to one account, so one person's
-- papers cannot make two voters.
CREATE TABLE budget_census (
    area_id BIGINT NOT NULL REFERENCES budget_areas (id) ON DELETE CASCADE,
    entry_hash TEXT NOT NULL,
    claimed_by BIGINT REFERENCES people (id),
    PRIMARY KEY (area_id, entry_hash)
) WITHOUT ROWID;
CREATE UNIQUE INDEX budget_census_claims ON budget_census (area_id, claimed_by);

-- One-time voting codes, printed in batches: only their SHA-256 (codes are random, so a plain
-- hash cannot be reversed). `used` says the code voted; nothing says when or with which ballot.
CREATE TABLE budget_codes (
    code_hash TEXT PRIMARY KEY,
    area_id BIGINT NOT NULL REFERENCES budget_areas (id) ON DELETE CASCADE,
    batch BIGINT NOT NULL,
    used BIGINT NOT NULL DEFAULT 0 CHECK (used IN (0, 1))
) WITHOUT ROWID;

-- *That* an account voted in an area: no time, no order (a random-keyed table keeps no
-- insertion order in SQLite), nothing that points to a ballot.
CREATE TABLE budget_voters (
    area_id BIGINT NOT NULL REFERENCES budget_areas (id) ON DELETE CASCADE,
    person_id BIGINT NOT NULL REFERENCES people (id),
    PRIMARY KEY (area_id, person_id)
) WITHOUT ROWID;

-- *What* was voted: the chosen projects (JSON array of ids, ascending) and the SHA-256 of the
-- voter's receipt. The key is random, there is no time, and `WITHOUT ROWID` stores rows in key
-- order, so neither the rows nor their order say who cast them or when.
CREATE TABLE budget_ballots (
    id TEXT PRIMARY KEY,
    area_id BIGINT NOT NULL REFERENCES budget_areas (id) ON DELETE CASCADE,
    projects TEXT NOT NULL,
    receipt_hash TEXT NOT NULL UNIQUE
) WITHOUT ROWID;
