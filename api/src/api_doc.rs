//! The OpenAPI document: its frame here; every operation is added where its route is
//! registered (`app::routes`), so a route cannot be missing from it.
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Madar API",
        description = "Madar (مدار): the child-protection case-management system of Morocco's provincial \
                       support centres, public services and NGOs. Errors are RFC 9457 problems with a stable `code`.",
        license(name = "AGPL-3.0-only"),
        version = "1"
    ),
    modifiers(&Security),
    // Problems embed their field errors by reference: the schema must be a component too.
    components(schemas(madar_openapi::FieldError)),
    tags(
        (name = "auth", description = "Logging in, tokens"),
        (name = "users", description = "People and their roles"),
        (name = "organizations", description = "Ministry, centres, units, services, NGOs"),
        (name = "clients", description = "API clients of the hotline and partners"),
        (name = "reference", description = "Territories and code lists"),
        (name = "reports", description = "Reports of children at risk"),
        (name = "children", description = "The children Madar follows, and matching"),
        (name = "cases", description = "Protection cases: work lists, stages, timeline"),
        (name = "case records", description = "What is recorded on a case: assessments, plan, services, placements, judicial measures, notes, attachments"),
        (name = "approvals", description = "Approvals and transfers coordinators decide"),
        (name = "referrals", description = "Referrals of children to the organizations that provide services, their inboxes and snapshots"),
        (name = "protocols", description = "The framework protocol (national and provincial variants), the actions it asks on reports and cases, and alerts"),
        (name = "services", description = "The service directory: who provides what, where and for whom; capacity"),
        (name = "hsds", description = "The service directory as Open Referral HSDS 3.1 (Madar profile)"),
        (name = "statistics", description = "Counts and the ministry's indicators, without names and with small counts suppressed"),
        (name = "plans", description = "Provincial action plans (objectives, measures, indicators bound to statistics, progress) and the national executive programme"),
        (name = "events", description = "Live updates: Server-Sent Events opened with a single-use ticket"),
        (name = "webhooks", description = "Webhooks: signed HTTP callbacks of referral and report events to an organization's endpoints"),
        (name = "audit", description = "The audit log (auditors)"),
        (name = "access", description = "Break-the-glass: a coordinator's time-limited access to a case outside their territory, with a written reason, listed to auditors"),
        (name = "operations", description = "Health checks"),
    )
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut bearer = Http::new(HttpAuthScheme::Bearer);
        bearer.bearer_format = Some("JWT".into());
        bearer.description =
            Some("An access token from /api/v1/auth/login or /api/v1/auth/token".into());
        components.add_security_scheme("bearer", SecurityScheme::Http(bearer));
    }
}
