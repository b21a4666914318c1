//! One component per screen.
mod admin;
mod approvals;
mod audit;
mod case;
mod child;
mod home;
mod login;
mod new_report;
mod not_found;
mod plans;
mod programme;
mod protocols;
mod referral;
mod referrals;
mod report;
mod reports_inbox;
mod services;
mod statistics;

pub use admin::{
    ClientsPage, OrganizationPage, OrganizationsPage, UserPage, UsersPage, WebhooksPage,
};
pub use approvals::ApprovalsPage;
pub use audit::AuditPage;
pub use case::CasePage;
pub use child::ChildPage;
pub use home::HomePage;
pub use login::LoginPage;
pub use new_report::NewReportPage;
pub use not_found::NotFoundPage;
pub use plans::PlansPage;
pub use programme::ProgrammePage;
pub use protocols::{ProtocolPage, ProtocolsPage};
pub use referral::ReferralPage;
pub use referrals::ReferralsPage;
pub use report::ReportPage;
pub use reports_inbox::ReportsInboxPage;
pub use services::ServicesPage;
pub use statistics::StatisticsPage;
