//! Use cases that span the store, the domain rules and outside systems: each function is
//! one thing a person (or a job) does, with its own error enum.

pub mod accounts;
pub mod bookings;
pub mod case_stats;
pub mod cases;
pub mod claims;
pub mod console;
pub mod loans;
pub mod payments;
pub mod policies;
pub mod providers;
pub mod reminders;
pub mod renewal_offers;
pub mod roadside;
pub mod servicing;
pub mod short_links;
pub mod sms;
pub mod sms_replies;
pub mod surveys;
pub mod uploads;
