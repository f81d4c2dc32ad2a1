//! Outside systems, each behind a trait with a sandbox implementation.

pub mod sms;
