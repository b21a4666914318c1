DROP TABLE event_tickets;
DROP TABLE live_events;
