-- Statistics of one territory (a provincial report, a coordinator's dashboard) read the
-- reports and cases of its subtree within a window: by territory first, then by date, instead
-- of every report or case of the country in the window (issue 8).
CREATE INDEX reports_territory_received ON reports(territory_code, received_at);
CREATE INDEX cases_territory_opened ON cases(territory_code, opened_at);
CREATE INDEX cases_territory_closed ON cases(territory_code, closed_at);
