//! Outside systems, each behind a trait with a sandbox implementation.

pub mod payments;
pub mod sms;
pub mod storage;
