//! Everything that runs only on the server: business rules (`domain`), SQL (`store`),
//! authentication (`auth`) and outside systems (`adapters`). Never compiled to wasm.

pub mod adapters;
pub mod auth;
pub mod clock;
pub mod config;
pub mod demo;
pub mod domain;
pub mod ids;
pub mod store;

use std::sync::Arc;

pub use clock::Clock;
pub use config::Config;
pub use store::Db;

/// What every request handler and job can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub clock: Clock,
    pub sms: Arc<dyn adapters::sms::SmsSender>,
}

impl AppState {
    pub fn new(db: Db, config: Config, clock: Clock) -> Self {
        Self {
            db,
            config: Arc::new(config),
            clock,
            sms: Arc::new(adapters::sms::SandboxSms),
        }
    }
}

/// The address a request came from, put in the request's extensions by the server.
#[derive(Clone, Debug)]
pub struct ClientIp(pub String);

/// A short id for one request, shown on error pages and written to the log.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);
