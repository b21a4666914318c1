DROP TABLE derived_state;
DROP TABLE statistic_tallies;
