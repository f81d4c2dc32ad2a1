//! The only place that writes SQL. One module per aggregate. Every statement is plain
//! SQL with `$n` placeholders that runs unchanged on SQLite and PostgreSQL through
//! sqlx's `Any` driver; the integration tests run on both engines to keep it honest.

pub mod attempt_limits;
pub mod audit;
pub mod bookings;
pub mod case_stats;
pub mod cases;
pub mod claims;
pub mod console;
pub mod customers;
pub mod drafts;
pub mod job_leases;
pub mod loans;
pub mod login_attempts;
pub mod outbox;
pub mod payment_methods;
pub mod payments;
pub mod policies;
pub mod preferences;
pub mod renewals;
pub mod roadside;
pub mod sandbox_ledger;
pub mod seed;
pub mod servicing;
pub mod sessions;
pub mod short_links;
pub mod sms_codes;
pub mod sms_inbound;
pub mod staff;
pub mod surveys;

use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Connection, Executor};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// A pool on one of the two engines.
#[derive(Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub engine: Engine,
    /// The file was opened read-only (`mode=ro`, or a write refused at start): pages can
    /// be read, every change is answered with a 503.
    pub read_only: bool,
    /// The SQLite file has a quota (`DbSettings::sqlite_max_pages`): reaching it refuses
    /// changes up front, so that none starts that could not finish.
    pub has_quota: bool,
    /// The last readiness check, shared by every request that asks within a second.
    last_check: std::sync::Arc<tokio::sync::Mutex<Option<(std::time::Instant, Readiness)>>>,
}

/// A connection idle this long is pinged before use (see `Db::connect`).
const IDLE_BEFORE_PING: std::time::Duration = std::time::Duration::from_secs(1);

/// How the pool waits and how large a SQLite file may grow.
#[derive(Clone, Copy, Debug)]
pub struct DbSettings {
    /// How long a request waits for a connection before it is told the database is away
    /// (`ANXIN_DB_TIMEOUT_MS`). Short, so that an outage is a quick 503, not a hang.
    pub acquire_timeout: std::time::Duration,
    /// A quota on the SQLite file, in pages (`ANXIN_SQLITE_MAX_PAGES`): past it, writes
    /// fail as on a full disk and the server answers 503 for them.
    pub sqlite_max_pages: Option<u64>,
}

impl Default for DbSettings {
    fn default() -> Self {
        Self {
            acquire_timeout: std::time::Duration::from_secs(2),
            sqlite_max_pages: None,
        }
    }
}

/// Whether the database can serve requests now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Readiness {
    Ready,
    /// No connection, or no answer in time.
    Unreachable,
    /// Reads work, writes are refused.
    ReadOnly,
    /// The file reached its quota (or the disk its end): writes that need room fail.
    Full,
}

impl Readiness {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ready => "ready",
            Self::Unreachable => "database unreachable",
            Self::ReadOnly => "database read-only",
            Self::Full => "database full",
        }
    }
}

impl Db {
    /// Connects to `sqlite://path` (creating the file and its folder) or `postgres://…`.
    pub async fn connect(url: &str, settings: DbSettings) -> anyhow::Result<Self> {
        sqlx::any::install_default_drivers();
        let engine = if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Engine::Postgres
        } else if url.starts_with("sqlite:") {
            Engine::Sqlite
        } else {
            anyhow::bail!("DATABASE_URL must start with sqlite: or postgres:");
        };
        let url = match engine {
            Engine::Sqlite => sqlite_url(url)?,
            Engine::Postgres => url.to_owned(),
        };
        let opened_read_only = engine == Engine::Sqlite && url.contains("mode=ro");
        let max_pages = settings.sqlite_max_pages;
        let pool = AnyPoolOptions::new()
            .max_connections(match engine {
                Engine::Sqlite => 8,
                Engine::Postgres => 16,
            })
            .acquire_timeout(settings.acquire_timeout)
            // sqlx pings every connection before handing it out and again when it comes
            // back: on SQLite each ping is two thread switches, on PostgreSQL a round trip,
            // so a one-query read cost three. The ping on return stays (a connection that
            // broke in use is dropped there); before use, only one that sat idle a while
            // is asked, which is how a connection that died in the pool is found.
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for >= IDLE_BEFORE_PING {
                        conn.ping().await?;
                    }
                    Ok(true)
                })
            })
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if engine == Engine::Sqlite {
                        // WAL lets readers run beside the one writer; the busy timeout makes
                        // concurrent writers queue instead of failing. A read-only file
                        // keeps the journal it has (changing it is a write).
                        if !opened_read_only {
                            conn.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")
                                .await?;
                        }
                        conn.execute("PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;")
                            .await?;
                        if let Some(pages) = max_pages {
                            conn.execute(format!("PRAGMA max_page_count = {pages}").as_str())
                                .await?;
                        }
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await?;
        let mut db = Self {
            pool,
            engine,
            read_only: opened_read_only,
            has_quota: engine == Engine::Sqlite && max_pages.is_some(),
            last_check: Default::default(),
        };
        if engine == Engine::Sqlite && !db.read_only && !db.sqlite_writable().await {
            db.read_only = true;
        }
        Ok(db)
    }

    /// Whether SQLite accepts a write: rewrites the header's user version with its own
    /// value inside a transaction that is rolled back, so nothing changes either way.
    async fn sqlite_writable(&self) -> bool {
        let Ok(mut tx) = self.pool.begin().await else {
            return false;
        };
        let probe = async {
            let (v,): (i64,) = sqlx::query_as("PRAGMA user_version")
                .fetch_one(&mut *tx)
                .await?;
            sqlx::query(&format!("PRAGMA user_version = {v}"))
                .execute(&mut *tx)
                .await?;
            Ok::<_, sqlx::Error>(())
        }
        .await;
        let _ = tx.rollback().await;
        probe.is_ok()
    }

    /// Whether the database can serve requests, answered within `within`. Requests that
    /// fail at the same moment share one check (at most one a second), so an outage does
    /// not become a storm of probes.
    pub async fn readiness(&self, within: std::time::Duration) -> Readiness {
        let mut last = self.last_check.lock().await;
        if let Some((at, r)) = *last {
            if at.elapsed() < std::time::Duration::from_secs(1) {
                return r;
            }
        }
        let r = match tokio::time::timeout(within, self.check()).await {
            Ok(r) => r,
            Err(_) => Readiness::Unreachable,
        };
        *last = Some((std::time::Instant::now(), r));
        r
    }

    async fn check(&self) -> Readiness {
        if self.ping().await.is_err() {
            return Readiness::Unreachable;
        }
        if self.read_only {
            return Readiness::ReadOnly;
        }
        if self.engine == Engine::Sqlite {
            // Both are reads: a quota reached (or set below the file's size) is "full".
            let count = sqlx::query_as::<_, (i64,)>("PRAGMA page_count")
                .fetch_one(&self.pool)
                .await;
            let max = sqlx::query_as::<_, (i64,)>("PRAGMA max_page_count")
                .fetch_one(&self.pool)
                .await;
            match (count, max) {
                (Ok((c,)), Ok((m,))) if c >= m => return Readiness::Full,
                (Ok(_), Ok(_)) => {}
                _ => return Readiness::Unreachable,
            }
        }
        Readiness::Ready
    }

    pub async fn migrate(&self) -> anyhow::Result<()> {
        match self.engine {
            Engine::Sqlite => {
                sqlx::migrate!("../migrations/sqlite")
                    .run(&self.pool)
                    .await?
            }
            Engine::Postgres => {
                sqlx::migrate!("../migrations/postgres")
                    .run(&self.pool)
                    .await?
            }
        }
        Ok(())
    }

    pub async fn ping(&self) -> sqlx::Result<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
    }

    /// Refreshes the planner's statistics: after a bulk load PostgreSQL planned the policy
    /// list from an empty table's numbers (measured on a million policies: 315 req/s
    /// before `ANALYZE`, 853 after).
    pub async fn analyze(&self) -> sqlx::Result<()> {
        sqlx::query("ANALYZE").execute(&self.pool).await.map(|_| ())
    }

    /// True when the database holds no customers and no staff yet.
    pub async fn is_empty(&self) -> sqlx::Result<bool> {
        // EXISTS, not COUNT(*): a start on a million-row database must not count them.
        let (n,): (i64,) = sqlx::query_as(
            "SELECT CASE WHEN EXISTS (SELECT 1 FROM customers) OR EXISTS (SELECT 1 FROM staff) \
             THEN 1 ELSE 0 END",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(n == 0)
    }
}

/// `sqlite://data/anxin.db` → create `data/` and open read-write-create.
fn sqlite_url(url: &str) -> anyhow::Result<String> {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    if path != ":memory:" {
        if let Some(parent) = std::path::Path::new(path).parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent)?;
            }
        }
    }
    let query = if query.contains("mode=") {
        query.to_owned()
    } else if query.is_empty() {
        "mode=rwc".to_owned()
    } else {
        format!("{query}&mode=rwc")
    };
    Ok(format!("sqlite://{path}?{query}"))
}

/// Whether an error's text (`{:#}`, the whole chain) says the storage itself failed: no
/// connection in time, a read-only or full database, a disk error. Such a failure is
/// ours, and the person is told so with a 503 rather than "something went wrong".
/// Matched on text because errors reach the request layer as `Display` (through anyhow
/// and the services' error enums); the phrases are SQLite's and PostgreSQL's own.
pub fn is_storage_failure(text: &str) -> bool {
    const PHRASES: &[&str] = &[
        "pool timed out while waiting for an open connection",
        "attempted to acquire a connection on a closed pool",
        "database or disk is full",
        "attempt to write a readonly database",
        "disk I/O error",
        "could not extend file",
        "No space left on device",
        "read-only transaction",
        "the database system is shutting down",
        "the database system is starting up",
        "terminating connection due to administrator command",
        "error communicating with database",
    ];
    PHRASES.iter().any(|p| text.contains(p))
}

/// True when `err` is a unique-constraint violation (both engines).
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Database(db) => {
            db.is_unique_violation()
                || db.code().as_deref() == Some("23505")
                || db.code().as_deref() == Some("2067")
                || db.message().contains("UNIQUE constraint failed")
        }
        _ => false,
    }
}

/// Flags are stored as 0/1 (sqlx `Any` cannot decode SQLite booleans).
pub fn flag(b: bool) -> i64 {
    i64::from(b)
}

/// Takes `count` numbers of `year` from a counter table (`claim_numbers`, `case_numbers`:
/// `year`, `last`) in one guarded statement, so concurrent callers queue on the row;
/// returns the first.
pub async fn count_up(
    conn: &mut sqlx::AnyConnection,
    table: &'static str,
    year: i32,
    count: i64,
) -> sqlx::Result<i64> {
    sqlx::query(&format!(
        "INSERT INTO {table} (year, last) VALUES ($1, 0) ON CONFLICT (year) DO NOTHING"
    ))
    .bind(i64::from(year))
    .execute(&mut *conn)
    .await?;
    let (last,): (i64,) = sqlx::query_as(&format!(
        "UPDATE {table} SET last = last + $2 WHERE year = $1 RETURNING last"
    ))
    .bind(i64::from(year))
    .bind(count)
    .fetch_one(&mut *conn)
    .await?;
    Ok(last - count + 1)
}

#[cfg(test)]
mod tests {
    use super::is_storage_failure;

    #[test]
    fn storage_failures_are_told_from_other_errors() {
        for text in [
            "paying: error returned from database: (code: 13) database or disk is full",
            "pool timed out while waiting for an open connection",
            "error returned from database: (code: 8) attempt to write a readonly database",
            "error returned from database: could not extend file \"base/16384/2619\": No space left on device",
        ] {
            assert!(is_storage_failure(text), "{text}");
        }
        for text in [
            "error returned from database: UNIQUE constraint failed: payments.idempotency_key",
            "no rows returned by a query that expected to return at least one row",
            "gateway timed out",
        ] {
            assert!(!is_storage_failure(text), "{text}");
        }
    }
}
