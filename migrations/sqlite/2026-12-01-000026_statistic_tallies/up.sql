-- Statistics at national scale (issue 8): the counts the dashboard and the provincial report
-- read most (reports and cases by month, territory and concern family, stage or closure
-- reason), kept as signed deltas. A write adds +1/-1 rows in its own transaction (no shared
-- counter row for concurrent writers to queue on); the statistics worker folds them into one
-- row per key now and then; a read sums them. `madar rebuild-derived` recomputes them from
-- the records. Exact at every instant, since a delta commits with the write it counts.
CREATE TABLE statistic_tallies (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  -- reports | cases_opened | cases_closed
  measure TEXT NOT NULL,
  -- all | concern_family | stage | closure_reason
  facet TEXT NOT NULL,
  -- the facet's code ('' for all)
  value TEXT NOT NULL,
  -- the first instant of the month of the event counted
  month TIMESTAMP NOT NULL,
  territory_code TEXT NOT NULL,
  n BIGINT NOT NULL,
  -- FALSE for a delta not folded yet into its key's row
  folded BOOLEAN NOT NULL
);
CREATE INDEX statistic_tallies_lookup ON statistic_tallies(measure, facet, month, territory_code, value);
CREATE INDEX statistic_tallies_unfolded ON statistic_tallies(id) WHERE NOT folded;

-- Derived data that must be rebuilt before it is read: the server rebuilds what is stale at
-- start (and the generator marks what its bulk load bypasses).
CREATE TABLE derived_state (
  name TEXT PRIMARY KEY,
  stale BOOLEAN NOT NULL
);
INSERT INTO derived_state (name, stale) VALUES ('statistic_tallies', TRUE);
