-- Provincial action plans (issue 8): a territory's plan for a period. `objectives` is the JSON
-- array of the contract's PlanObjective (objectives → measures → indicators), checked by
-- `plans::domain` before it is stored. Status: draft, active, closed.
CREATE TABLE action_plans (
  id TEXT PRIMARY KEY,
  territory_code TEXT NOT NULL REFERENCES territories(code),
  title TEXT NOT NULL,
  starts_on DATE NOT NULL,
  ends_on DATE NOT NULL,
  status TEXT NOT NULL,
  objectives TEXT NOT NULL,
  created_by_id TEXT NOT NULL,
  created_at TIMESTAMP NOT NULL,
  updated_at TIMESTAMP NOT NULL,
  version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX action_plans_territory ON action_plans(territory_code, id);

-- Progress on a plan's measures, appended (the last record per measure is its state).
-- `recorded_values` is the JSON array of the contract's RecordedValue.
CREATE TABLE plan_progress (
  id TEXT PRIMARY KEY,
  plan_id TEXT NOT NULL REFERENCES action_plans(id),
  measure_key TEXT NOT NULL,
  status TEXT NOT NULL,
  percent_done INTEGER NOT NULL,
  as_of DATE NOT NULL,
  note TEXT NULL,
  recorded_values TEXT NOT NULL,
  recorded_by_id TEXT NOT NULL,
  recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX plan_progress_plan ON plan_progress(plan_id, measure_key, as_of, id);
