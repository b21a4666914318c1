//! The app's addresses; [`crate::app`] picks the page for each.
use yew_router::prelude::*;

#[derive(Clone, Routable, PartialEq, Debug)]
pub enum Route {
    #[at("/")]
    Home,
    #[at("/reports")]
    ReportsInbox,
    #[at("/reports/new")]
    NewReport,
    #[at("/reports/:id")]
    Report { id: String },
    #[at("/children/:id")]
    Child { id: String },
    #[at("/cases/:id")]
    Case { id: String },
    #[at("/referrals")]
    Referrals,
    #[at("/referrals/:id")]
    Referral { id: String },
    #[at("/services")]
    Services,
    #[at("/statistics")]
    Statistics,
    #[at("/approvals")]
    Approvals,
    #[at("/audit")]
    Audit,
    #[at("/plans")]
    Plans,
    #[at("/programme")]
    Programme,
    #[at("/protocols")]
    Protocols,
    #[at("/protocols/:id")]
    Protocol { id: String },
    #[at("/admin/users")]
    AdminUsers,
    #[at("/admin/users/:id")]
    AdminUser { id: String },
    #[at("/admin/organizations")]
    AdminOrganizations,
    #[at("/admin/organizations/:code")]
    AdminOrganization { code: String },
    #[at("/admin/clients")]
    AdminClients,
    #[at("/webhooks")]
    Webhooks,
    #[not_found]
    #[at("/not-found")]
    NotFound,
}
