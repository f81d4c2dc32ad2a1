//! Integration tests: the real router on a free port, a fresh database per test
//! (a new SQLite file, or a new PostgreSQL schema when ANXIN_TEST_ENGINE=postgres),
//! driven over HTTP like a browser posting forms.

mod helpers;

mod access;
mod activation;
mod assets;
mod bookings;
mod case_stats;
mod cases;
mod claims;
mod cli;
mod console;
mod crash;
mod demo;
mod hardening;
mod jobs;
mod limits;
mod login;
mod outage;
mod pages;
mod providers;
mod renewal;
mod renewal_access;
mod servicing;
mod servicing_money;
mod sessions;
mod shutdown;
mod sms_links;
mod sms_login;
mod sms_replies;
mod sms_sending;
mod staff;
mod storage;
mod surveys;
