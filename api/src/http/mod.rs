//! HTTP plumbing shared by every resource: request bodies, preconditions, paging, middleware,
//! the fallback for unknown routes.
pub mod assets;
pub mod body;
pub mod fallback;
pub mod middleware;
pub mod paging;
pub mod precondition;
pub mod respond;

pub use body::ValidJson;
pub use paging::ListQuery;
pub use precondition::{etag, IfMatch};
pub use respond::{created, record};

/// The largest request body Madar reads.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// The `default` response every operation documents: an RFC 9457 problem.
#[derive(utoipa::IntoResponses)]
#[response(
    status = "default",
    description = "A problem (RFC 9457)",
    content_type = "application/problem+json"
)]
pub struct ProblemResponse(#[to_schema] pub madar_openapi::Problem);
