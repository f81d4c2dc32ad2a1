//! Server-rendered view pieces shared by pages.

mod layout;
mod notice;

pub use layout::Layout;
pub use notice::{error_from_query, ErrorNotice};
