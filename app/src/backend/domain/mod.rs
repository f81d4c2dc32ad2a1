//! Business rules with no web or SQL types in them.

pub mod accounts;
pub mod booking;
pub mod case_stats;
pub mod cases;
pub mod claims;
pub mod customer_profile;
pub mod links;
pub mod loans;
pub mod lockout;
pub mod payment;
pub mod providers;
pub mod renewal;
pub mod servicing;
pub mod sms_query;
pub mod sms_rules;
pub mod surveys;
pub mod uploads;
