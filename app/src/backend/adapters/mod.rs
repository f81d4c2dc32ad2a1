//! Outside systems, each behind a trait with a sandbox implementation (storage: a local
//! folder by default).

pub mod payments;
pub mod sms;
pub mod storage;
