//! One component per screen.
mod home;
mod login;

pub use home::HomePage;
pub use login::LoginPage;
