use secrecy::{ExposeSecret, SecretString};
use std::path::{Path, PathBuf};

/// Settings read at start (see the README's configuration table).
#[derive(Clone, Debug)]
pub struct Config {
    pub database_url: String,
    /// The pool's wait for a connection and the SQLite quota.
    pub db: crate::backend::store::DbSettings,
    pub addr: String,
    /// Share `addr` with other instances on this machine (`ANXIN_REUSEPORT=1`, SO_REUSEPORT):
    /// the kernel spreads connections over them, so one can restart while the others serve.
    pub reuse_port: bool,
    /// Where people reach us; used in short links and to decide whether cookies are `Secure`.
    pub public_url: String,
    /// Built assets (`target/site`).
    pub site_root: String,
    pub production: bool,
    /// Keys the hashes of session tokens, SMS codes and ID digits.
    pub secret_key: SecretString,
    /// Signs payment and SMS webhooks.
    pub webhook_secret: SecretString,
    pub session_idle_secs: i64,
    pub session_absolute_secs: i64,
    /// Fill an empty database with demo data at start.
    pub demo_if_empty: bool,
    /// How long the payment page waits for a payment just made to settle before it shows
    /// "still processing" (`ANXIN_PAYMENT_WAIT_MS`).
    pub payment_wait_ms: u64,
    /// How long a charge the payment provider does not know is retried before it is
    /// closed and expired, freeing its offer (`ANXIN_PAYMENT_GRACE_SECS`, default 10 min).
    pub payment_grace_secs: i64,
    /// Reconciliation asks the provider about payments not heard of for this long
    /// (`ANXIN_RECONCILE_AFTER_SECS`, default 120).
    pub reconcile_after_secs: i64,
    /// A crash injected at one step of paying, for crash tests (`ANXIN_FAULT`); refused
    /// in production.
    pub fault: Option<crate::backend::fault::Fault>,
    /// Which payment provider charges (`ANXIN_PAYMENT_GATEWAY`).
    pub payment_gateway: GatewayKind,
    /// Where the SMS sandbox writes what it delivered, one JSON line per message
    /// (`ANXIN_SMS_SANDBOX_LOG`; `data/sms-sandbox.log` outside production).
    pub sms_sandbox_log: Option<String>,
    /// The SMS sandbox refuses every message, as a provider that is down does
    /// (`ANXIN_SMS_SANDBOX_FAIL=1`): the outage drill. Refused in production.
    pub sms_sandbox_fail: bool,
    /// 小额快赔: the largest claim per line that skips the survey
    /// (`ANXIN_FAST_TRACK_AUTO`, `ANXIN_FAST_TRACK_HEALTH`, in yuan; `0` turns it off).
    pub fast_track: crate::backend::domain::claims::FastTrackLimits,
    /// Where claim documents and attachments are kept (`ANXIN_FILES`).
    pub files: FilesLocation,
}

/// Where files live: a folder (the default, `files/` beside the SQLite database) or an
/// S3-compatible bucket, which several instances can share.
#[derive(Clone, Debug)]
pub enum FilesLocation {
    Local(PathBuf),
    S3(S3Settings),
}

/// `ANXIN_FILES=s3://bucket[/prefix]` and the settings that go with it.
#[derive(Clone, Debug)]
pub struct S3Settings {
    pub bucket: String,
    /// Keys are stored under this folder of the bucket.
    pub prefix: Option<String>,
    /// An S3-compatible server instead of AWS (`ANXIN_S3_ENDPOINT`); `http://` only for
    /// this machine.
    pub endpoint: Option<String>,
    /// `ANXIN_S3_REGION`, `us-east-1` by default.
    pub region: String,
    /// `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`; without them the instance's role
    /// (instance metadata) is asked.
    pub access_key_id: Option<SecretString>,
    pub secret_access_key: Option<SecretString>,
}

impl FilesLocation {
    /// `value` is `ANXIN_FILES`: unset means `files/` in the data folder, `s3://…` a
    /// bucket, anything else a folder.
    pub fn parse(
        value: Option<&str>,
        database_url: &str,
        get: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let Some(value) = value else {
            return Ok(Self::Local(data_dir(database_url).join("files")));
        };
        let Some(rest) = value.strip_prefix("s3://") else {
            return Ok(Self::Local(PathBuf::from(value)));
        };
        let invalid = || ConfigError::Invalid("ANXIN_FILES", value.into());
        let (bucket, prefix) = match rest.split_once('/') {
            Some((b, p)) => (b, Some(p.trim_matches('/')).filter(|p| !p.is_empty())),
            None => (rest, None),
        };
        let bucket_ok = !bucket.is_empty()
            && bucket
                .bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-' || c == b'.');
        if !bucket_ok {
            return Err(invalid());
        }
        let endpoint = match get("ANXIN_S3_ENDPOINT") {
            None => None,
            Some(e) if e.starts_with("https://") || is_local_http(&e) => {
                Some(e.trim_end_matches('/').to_owned())
            }
            Some(e) => return Err(ConfigError::Invalid("ANXIN_S3_ENDPOINT", e)),
        };
        Ok(Self::S3(S3Settings {
            bucket: bucket.into(),
            prefix: prefix.map(Into::into),
            endpoint,
            region: get("ANXIN_S3_REGION").unwrap_or_else(|| "us-east-1".into()),
            access_key_id: get("AWS_ACCESS_KEY_ID").map(SecretString::from),
            secret_access_key: get("AWS_SECRET_ACCESS_KEY").map(SecretString::from),
        }))
    }
}

/// Plain http carries credentials and documents in clear: only to this machine (a test
/// server, or a proxy on the host).
pub fn is_local_http(endpoint: &str) -> bool {
    let Some(rest) = endpoint.strip_prefix("http://") else {
        return false;
    };
    let authority = rest.split('/').next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    matches!(host, "localhost" | "127.0.0.1" | "::1")
}

/// The folder our own data lives in: the SQLite database's, or `data/` beside a
/// PostgreSQL deployment.
pub fn data_dir(database_url: &str) -> PathBuf {
    let path = database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))
        .map(|p| p.split('?').next().unwrap_or_default())
        .filter(|p| !p.is_empty() && !p.starts_with(":memory:"));
    match path.map(Path::new).and_then(Path::parent) {
        Some(parent) if parent.as_os_str().is_empty() => PathBuf::from("."),
        Some(parent) => parent.to_path_buf(),
        None => PathBuf::from("data"),
    }
}

/// The payment providers we can talk to. Only the sandbox exists today; a real one is
/// one more variant and one more `PaymentGateway` implementation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GatewayKind {
    /// Charges nothing and renews cover: never in production unless a staging
    /// deployment says so with `ANXIN_ALLOW_SANDBOX=1`.
    Sandbox,
}

pub const DEV_SECRET: &str = "anxin-development-secret-do-not-use-in-production";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{0} must be set to a strong value when ANXIN_ENV=production")]
    DevSecretInProduction(&'static str),
    #[error("{0} is not valid: {1}")]
    Invalid(&'static str, String),
    #[error(
        "ANXIN_PAYMENT_GATEWAY=sandbox charges nothing and renews cover for free: refused when \
         ANXIN_ENV=production (a staging deployment may set ANXIN_ALLOW_SANDBOX=1)"
    )]
    SandboxInProduction,
    #[error("ANXIN_FAULT crashes the server on purpose: refused when ANXIN_ENV=production")]
    FaultInProduction,
}

impl Config {
    /// Reads the process environment (which the server first fills from an optional file).
    pub fn from_env() -> Result<Self, ConfigError> {
        let get = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let production = get("ANXIN_ENV").as_deref() == Some("production");
        let addr = get("ANXIN_ADDR").unwrap_or_else(|| "127.0.0.1:3000".into());
        let secret = |k: &'static str| -> Result<SecretString, ConfigError> {
            match get(k) {
                Some(v) if production && (v == DEV_SECRET || v.len() < 32) => {
                    Err(ConfigError::DevSecretInProduction(k))
                }
                Some(v) => Ok(SecretString::from(v)),
                None if production => Err(ConfigError::DevSecretInProduction(k)),
                None => Ok(SecretString::from(DEV_SECRET)),
            }
        };
        let secs = |k: &'static str, default: i64| -> Result<i64, ConfigError> {
            match get(k) {
                None => Ok(default),
                Some(v) => v
                    .parse::<i64>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or(ConfigError::Invalid(k, v)),
            }
        };
        let database_url = get("DATABASE_URL").unwrap_or_else(|| "sqlite://data/anxin.db".into());
        let db = crate::backend::store::DbSettings {
            acquire_timeout: match get("ANXIN_DB_TIMEOUT_MS") {
                None => crate::backend::store::DbSettings::default().acquire_timeout,
                Some(v) => v
                    .parse::<u64>()
                    .ok()
                    .filter(|ms| (100..=60_000).contains(ms))
                    .map(std::time::Duration::from_millis)
                    .ok_or(ConfigError::Invalid("ANXIN_DB_TIMEOUT_MS", v))?,
            },
            sqlite_max_pages: match get("ANXIN_SQLITE_MAX_PAGES") {
                None => None,
                Some(v) => Some(
                    v.parse::<u64>()
                        .ok()
                        .filter(|n| *n > 0)
                        .ok_or(ConfigError::Invalid("ANXIN_SQLITE_MAX_PAGES", v))?,
                ),
            },
        };
        Ok(Self {
            files: FilesLocation::parse(get("ANXIN_FILES").as_deref(), &database_url, get)?,
            database_url,
            db,
            public_url: get("ANXIN_PUBLIC_URL").unwrap_or_else(|| format!("http://{addr}")),
            addr,
            reuse_port: match get("ANXIN_REUSEPORT").as_deref() {
                None | Some("0") => false,
                Some("1") => true,
                Some(v) => return Err(ConfigError::Invalid("ANXIN_REUSEPORT", v.to_owned())),
            },
            site_root: get("ANXIN_SITE_ROOT")
                .or_else(|| get("LEPTOS_SITE_ROOT"))
                .unwrap_or_else(|| "target/site".into()),
            production,
            secret_key: secret("ANXIN_SECRET_KEY")?,
            webhook_secret: secret("ANXIN_WEBHOOK_SECRET")?,
            session_idle_secs: secs("ANXIN_SESSION_IDLE_SECS", 30 * 60)?,
            session_absolute_secs: secs("ANXIN_SESSION_ABSOLUTE_SECS", 12 * 3600)?,
            demo_if_empty: get("ANXIN_DEMO").map(|v| v != "0").unwrap_or(!production),
            payment_wait_ms: match get("ANXIN_PAYMENT_WAIT_MS") {
                Some(v) => v
                    .parse()
                    .map_err(|_| ConfigError::Invalid("ANXIN_PAYMENT_WAIT_MS", v))?,
                None => 8_000,
            },
            payment_grace_secs: secs(
                "ANXIN_PAYMENT_GRACE_SECS",
                crate::backend::domain::payment::DEFAULT_GRACE_SECS,
            )?,
            reconcile_after_secs: secs("ANXIN_RECONCILE_AFTER_SECS", 120)?,
            fault: match get("ANXIN_FAULT") {
                None => None,
                Some(_) if production => return Err(ConfigError::FaultInProduction),
                Some(v) => Some(
                    crate::backend::fault::Fault::parse(&v)
                        .ok_or(ConfigError::Invalid("ANXIN_FAULT", v))?,
                ),
            },
            payment_gateway: match get("ANXIN_PAYMENT_GATEWAY").as_deref() {
                None | Some("sandbox") => {
                    if production && get("ANXIN_ALLOW_SANDBOX").as_deref() != Some("1") {
                        return Err(ConfigError::SandboxInProduction);
                    }
                    GatewayKind::Sandbox
                }
                Some(other) => {
                    return Err(ConfigError::Invalid("ANXIN_PAYMENT_GATEWAY", other.into()))
                }
            },
            sms_sandbox_log: get("ANXIN_SMS_SANDBOX_LOG")
                .or_else(|| (!production).then(|| "data/sms-sandbox.log".into())),
            sms_sandbox_fail: match get("ANXIN_SMS_SANDBOX_FAIL").as_deref() {
                None | Some("0") => false,
                Some("1") if !production => true,
                Some(v) => return Err(ConfigError::Invalid("ANXIN_SMS_SANDBOX_FAIL", v.into())),
            },
            fast_track: {
                let d = crate::backend::domain::claims::FastTrackLimits::default();
                let yuan = |k: &'static str, default| -> Result<_, ConfigError> {
                    match get(k) {
                        None => Ok(default),
                        Some(v) => match v.parse::<i64>() {
                            Ok(0) => Ok(None),
                            Ok(n) if n > 0 => Ok(Some(crate::model::Money(n * 100))),
                            _ => Err(ConfigError::Invalid(k, v)),
                        },
                    }
                };
                crate::backend::domain::claims::FastTrackLimits {
                    auto: yuan("ANXIN_FAST_TRACK_AUTO", d.auto)?,
                    health: yuan("ANXIN_FAST_TRACK_HEALTH", d.health)?,
                    ..d
                }
            },
        })
    }

    /// A configuration for tests: development secrets, the given database.
    pub fn for_tests(database_url: &str) -> Self {
        Self {
            database_url: database_url.into(),
            db: Default::default(),
            addr: "127.0.0.1:0".into(),
            reuse_port: false,
            public_url: "http://127.0.0.1".into(),
            site_root: "target/site".into(),
            production: false,
            secret_key: SecretString::from(DEV_SECRET),
            webhook_secret: SecretString::from(DEV_SECRET),
            session_idle_secs: 30 * 60,
            session_absolute_secs: 12 * 3600,
            demo_if_empty: false,
            payment_wait_ms: 1_500,
            payment_grace_secs: crate::backend::domain::payment::DEFAULT_GRACE_SECS,
            reconcile_after_secs: 120,
            fault: None,
            payment_gateway: GatewayKind::Sandbox,
            sms_sandbox_log: None,
            sms_sandbox_fail: false,
            fast_track: Default::default(),
            files: FilesLocation::Local(data_dir(database_url).join("files")),
        }
    }

    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// HMAC-SHA256 of `data` under the secret key, hex. Used for anything stored that
    /// must not be reversible offline (session tokens, SMS codes, ID digits).
    pub fn keyed_hash(&self, purpose: &str, data: &str) -> String {
        use hmac::{Mac, SimpleHmac};
        let mut mac =
            SimpleHmac::<sha2::Sha256>::new_from_slice(self.secret_key.expose_secret().as_bytes())
                .expect("HMAC takes any key length");
        mac.update(purpose.as_bytes());
        mac.update(b"\0");
        mac.update(data.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyed_hash_depends_on_purpose_and_data() {
        let c = Config::for_tests("sqlite::memory:");
        assert_eq!(c.keyed_hash("a", "1"), c.keyed_hash("a", "1"));
        assert_ne!(c.keyed_hash("a", "1"), c.keyed_hash("b", "1"));
        assert_ne!(c.keyed_hash("a", "1"), c.keyed_hash("a", "2"));
    }

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        |k| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn files_default_to_a_folder_beside_the_database() {
        let local = |url| match FilesLocation::parse(None, url, env(&[])).unwrap() {
            FilesLocation::Local(p) => p,
            other => panic!("{other:?}"),
        };
        assert_eq!(local("sqlite://data/anxin.db"), Path::new("data/files"));
        assert_eq!(
            local("sqlite:///tmp/t1/anxin.db"),
            Path::new("/tmp/t1/files")
        );
        assert_eq!(local("sqlite:anxin.db?mode=rwc"), Path::new("./files"));
        assert_eq!(local("sqlite::memory:"), Path::new("data/files"));
        assert_eq!(local("postgres://db/anxin"), Path::new("data/files"));
        let other = FilesLocation::parse(Some("/srv/anxin"), "sqlite://data/a.db", env(&[]));
        assert!(matches!(other, Ok(FilesLocation::Local(p)) if p == Path::new("/srv/anxin")));
    }

    #[test]
    fn files_in_a_bucket() {
        let vars = [
            ("ANXIN_S3_ENDPOINT", "http://127.0.0.1:9000/"),
            ("AWS_ACCESS_KEY_ID", "id"),
            ("AWS_SECRET_ACCESS_KEY", "secret"),
        ];
        let FilesLocation::S3(s3) =
            FilesLocation::parse(Some("s3://claims/prod/"), "", env(&vars)).unwrap()
        else {
            panic!("not S3")
        };
        assert_eq!(s3.bucket, "claims");
        assert_eq!(s3.prefix.as_deref(), Some("prod"));
        assert_eq!(s3.endpoint.as_deref(), Some("http://127.0.0.1:9000"));
        assert_eq!(s3.region, "us-east-1");
        assert_eq!(s3.secret_access_key.unwrap().expose_secret(), "secret");
        assert!(
            !format!("{:?}", FilesLocation::parse(Some("s3://b"), "", env(&vars)))
                .contains("secret\"")
        );

        let FilesLocation::S3(bare) = FilesLocation::parse(Some("s3://b"), "", env(&[])).unwrap()
        else {
            panic!("not S3")
        };
        assert_eq!((bare.prefix, bare.endpoint), (None, None));
    }

    #[test]
    fn files_refuse_a_bad_bucket_or_plain_http_elsewhere() {
        for bad in ["s3://", "s3://Bad_Bucket", "s3:///prefix"] {
            assert!(
                FilesLocation::parse(Some(bad), "", env(&[])).is_err(),
                "{bad}"
            );
        }
        for endpoint in [
            "http://s3.example.com",
            "http://localhost.evil.com",
            "ftp://x",
        ] {
            let vars = [("ANXIN_S3_ENDPOINT", endpoint)];
            assert!(
                FilesLocation::parse(Some("s3://b"), "", env(&vars)).is_err(),
                "{endpoint}"
            );
        }
        for endpoint in [
            "http://localhost:9000",
            "http://[::1]:9000",
            "https://oss.example.com",
        ] {
            let vars = [("ANXIN_S3_ENDPOINT", endpoint)];
            assert!(
                FilesLocation::parse(Some("s3://b"), "", env(&vars)).is_ok(),
                "{endpoint}"
            );
        }
    }
}
