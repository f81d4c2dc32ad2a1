//! Everything that runs only on the server: business rules (`domain`), SQL (`store`),
//! authentication (`auth`) and outside systems (`adapters`). Never compiled to wasm.

pub mod adapters;
pub mod auth;
pub mod clock;
pub mod config;
pub mod demo;
pub mod demo_bulk;
mod demo_case_history;
mod demo_cases;
mod demo_claims;
mod demo_console;
pub mod demo_services;
mod demo_servicing;
mod demo_sms;
mod demo_surveys;
pub mod domain;
pub mod fault;
pub mod ids;
pub mod services;
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
    pub payments: Arc<dyn adapters::payments::PaymentGateway>,
    /// Claim documents and attachments (`ANXIN_FILES`).
    pub files: adapters::storage::FileStore,
    /// Each line's claim stage medians and when they were computed (see
    /// `services::claims::medians`).
    pub claim_medians: Arc<
        tokio::sync::Mutex<
            std::collections::HashMap<crate::model::Line, (i64, domain::claims::StageMedians)>,
        >,
    >,
}

impl AppState {
    /// With the sandbox SMS sender and payment gateway; the gateway calls back at the
    /// public URL unless the server points it elsewhere. Fails when the files' folder
    /// cannot be made or their storage is misconfigured.
    pub fn new(db: Db, config: Config, clock: Clock) -> anyhow::Result<Self> {
        let payments: Arc<dyn adapters::payments::PaymentGateway> = match config.payment_gateway {
            config::GatewayKind::Sandbox => Arc::new(adapters::payments::SandboxGateway::new(
                format!("{}/webhooks/payments", config.public_url),
                config.webhook_secret.clone(),
                db.clone(),
            )),
        };
        let sms = adapters::sms::SandboxSms::new(config.sms_sandbox_log.clone().map(Into::into));
        sms.set_failing(config.sms_sandbox_fail);
        let files = adapters::storage::FileStore::new(&config.files)?;
        Ok(Self {
            db,
            files,
            config: Arc::new(config),
            clock,
            sms: Arc::new(sms),
            payments,
            claim_medians: Default::default(),
        })
    }
}

/// A `Set-Cookie` value as all of ours are: HttpOnly (no script reads them), SameSite=Lax,
/// `Secure` when the site is served over https. `max_age: None` lasts the browser session;
/// `Some(0)` removes the cookie.
pub fn cookie_header(
    config: &Config,
    name: &str,
    value: &str,
    path: &str,
    max_age: Option<i64>,
) -> String {
    let mut c = cookie::Cookie::build((name.to_owned(), value.to_owned()))
        .path(path.to_owned())
        .http_only(true)
        .same_site(cookie::SameSite::Lax)
        .secure(config.secure_cookies());
    if let Some(secs) = max_age {
        c = c.max_age(cookie::time::Duration::seconds(secs));
    }
    c.build().to_string()
}

/// The value of the request's cookie `name`, if it has a non-empty one.
pub fn cookie_value(headers: &http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name && !c.value().is_empty())
        .map(|c| c.value().to_owned())
}

/// The address a request came from, put in the request's extensions by the server.
#[derive(Clone, Debug)]
pub struct ClientIp(pub String);

/// A short id for one request, shown on error pages and written to the log.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);
