//! One component per screen.
mod case;
mod child;
mod home;
mod login;
mod new_report;
mod not_found;
mod referral;
mod referrals;
mod report;
mod reports_inbox;
mod services;

pub use case::CasePage;
pub use child::ChildPage;
pub use home::HomePage;
pub use login::LoginPage;
pub use new_report::NewReportPage;
pub use not_found::NotFoundPage;
pub use referral::ReferralPage;
pub use referrals::ReferralsPage;
pub use report::ReportPage;
pub use reports_inbox::ReportsInboxPage;
pub use services::ServicesPage;
