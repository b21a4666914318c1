DROP TABLE service_locations;
DROP TABLE service_concerns;
DROP TABLE service_territories;
DROP TABLE services;
