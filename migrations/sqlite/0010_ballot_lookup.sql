-- Reading one page of an area's published ballots (SQLite): the results page lists an area's
-- ballots a hundred at a time in the order of their random keys, and must not read the whole
-- area to do it. The index holds only what the table already says (the area and the random key),
-- so it tells nobody who voted or when. Finding a ballot by its receipt uses the unique index
-- on `receipt_hash` that 0008 made. Same shape as migrations/postgres/0010_ballot_lookup.sql.
CREATE INDEX budget_ballots_by_area ON budget_ballots (area_id, id);
