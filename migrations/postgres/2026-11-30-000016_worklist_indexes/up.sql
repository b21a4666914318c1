-- Work lists (`GET /api/v1/cases`) filtered by stage, in their order (priority, then id): a
-- case worker's (scope: the owning organization) and a coordinator's (scope: a territory
-- subtree, joined through territories). The unfiltered lists and the assigned-worker walk use
-- `cases_owner` and `cases_worklist` (migration 000010); see `cases::store::list`.
CREATE INDEX cases_owner_stage ON cases(owner_org, stage, priority, id);
CREATE INDEX cases_stage ON cases(stage, priority, id);
