DROP TABLE protocol_actions;
DROP TABLE protocols;
