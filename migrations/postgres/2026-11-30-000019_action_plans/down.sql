DROP TABLE plan_progress;
DROP TABLE action_plans;
