//! Risk assessments (تقييم وضعية الخطر): the instruments as versioned data, the pure rules
//! that score a set of answers, the queries, and the handlers of
//! `/api/v1/assessment-instruments` and `/api/v1/cases/{id}/assessments`.
pub mod handlers;
pub mod instrument;
pub mod scoring;
pub mod store;

pub use handlers::routes;
