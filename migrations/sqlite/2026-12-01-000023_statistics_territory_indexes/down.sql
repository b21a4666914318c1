DROP INDEX cases_territory_closed;
DROP INDEX cases_territory_opened;
DROP INDEX reports_territory_received;
