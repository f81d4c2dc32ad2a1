//! Server-rendered view pieces shared by pages.

mod fields;
mod identity_check;
mod layout;
mod notice;
mod password;
mod policy_card;

pub use fields::{IdLast4Field, PhoneField, SmsCodeField};
pub use identity_check::IdentityCheck;
pub use layout::Layout;
pub use notice::{
    aria_invalid, autofocus, described_by, error_from_query, ErrorNotice, FormError, SavedNotice,
};
pub use password::Password;
pub use policy_card::{badge, insured_for, policy_no_for, product_name, PolicyCard};
