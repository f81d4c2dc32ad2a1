//! Leases on background jobs: while one instance holds a job's lease, no other runs it.
//! A lease is claimed (or renewed) with one guarded upsert, so two instances racing for
//! a job cannot both win, and a lease left by an instance that died is taken over once
//! it runs out.

use sqlx::{Any, Executor};

/// Claims the lease on job `name` for `holder` until `until`: taken when nobody holds it,
/// when its holder let it run out (`lease_until <= now`), or renewed when `holder`
/// already holds it. True when `holder` holds it now.
pub async fn claim<'e>(
    ex: impl Executor<'e, Database = Any>,
    name: &str,
    holder: &str,
    now: i64,
    until: i64,
) -> sqlx::Result<bool> {
    let won: Option<(String,)> = sqlx::query_as(
        "INSERT INTO job_leases (name, holder, lease_until) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, lease_until = excluded.lease_until \
         WHERE job_leases.lease_until <= $4 OR job_leases.holder = $2 \
         RETURNING holder",
    )
    .bind(name)
    .bind(holder)
    .bind(until)
    .bind(now)
    .fetch_optional(ex)
    .await?;
    Ok(won.is_some())
}

/// Who holds job `name`'s lease and until when (for tests and staff views).
pub async fn holder<'e>(
    ex: impl Executor<'e, Database = Any>,
    name: &str,
) -> sqlx::Result<Option<(String, i64)>> {
    sqlx::query_as("SELECT holder, lease_until FROM job_leases WHERE name = $1")
        .bind(name)
        .fetch_optional(ex)
        .await
}

/// Gives up every lease `holder` has (an instance shutting down): another instance may
/// take each job at its next tick instead of waiting for the lease to run out.
pub async fn release_all<'e>(
    ex: impl Executor<'e, Database = Any>,
    holder: &str,
) -> sqlx::Result<u64> {
    let r = sqlx::query("UPDATE job_leases SET lease_until = 0 WHERE holder = $1")
        .bind(holder)
        .execute(ex)
        .await?;
    Ok(r.rows_affected())
}
