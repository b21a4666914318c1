//! Pieces shared by the pages.
mod header;
mod live;
pub mod widgets;

pub use header::Header;
pub use live::LiveUpdates;
