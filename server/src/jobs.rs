//! Background jobs. Each runs in its own task on its own timer and only while this
//! instance holds the job's lease (`store::job_leases`), so several `anxin` instances on
//! one database never run the same job at once, and a job that hangs (a payment gateway
//! that never answers) or fails holds up no other.

use app::backend::services::{bookings, cases, payments, reminders, renewal_offers, sms};
use app::backend::store::{job_leases, outbox, sessions};
use app::backend::AppState;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;
use tokio::time::MissedTickBehavior;

type Run = fn(AppState, Arc<str>) -> Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send>>;

/// One background job: what it does and how often.
struct Job {
    /// Its row in `job_leases`.
    name: &'static str,
    every: Duration,
    run: Run,
}

/// A lease never shorter than this, so a big batch of SMS is not cut off mid-way.
const MIN_LEASE: Duration = Duration::from_secs(10);
/// A run ends this long before its lease could run out.
const LEASE_MARGIN: Duration = Duration::from_secs(2);

impl Job {
    /// Twice the interval (at least `MIN_LEASE`), renewed at every run: the holder keeps
    /// the job while it is alive, and another instance takes over soon after it dies.
    fn lease(&self) -> Duration {
        (self.every * 2).max(MIN_LEASE)
    }

    /// A run taking longer is cut off, so the lease always outlasts the run that claimed
    /// it: nobody else can start the job while it is still running here.
    fn time_limit(&self) -> Duration {
        self.lease() - LEASE_MARGIN
    }
}

fn jobs() -> Vec<Job> {
    const FIVE_MINUTES: Duration = Duration::from_secs(300);
    vec![
        Job {
            name: "sms_sender",
            every: Duration::from_secs(2),
            run: |state, holder| {
                Box::pin(async move { sms::dispatch(&state, &holder).await.map(drop) })
            },
        },
        // Payments nobody told us about.
        Job {
            name: "payment_reconciliation",
            every: Duration::from_secs(30),
            run: |state, _| {
                Box::pin(async move {
                    let after = state.config.reconcile_after_secs;
                    payments::reconcile(&state, after).await.map(drop)
                })
            },
        },
        // Renewal opens for policies entering the window: every five minutes is plenty.
        Job {
            name: "renewal_offers",
            every: FIVE_MINUTES,
            run: |state, _| {
                Box::pin(async move {
                    let opened = renewal_offers::open_due_offers(&state).await?;
                    if opened > 0 {
                        tracing::info!(offers = opened, "renewal offers opened");
                    }
                    Ok(())
                })
            },
        },
        // Appointments tomorrow: a reminder each, held for the customer's window.
        Job {
            name: "appointment_reminders",
            every: FIVE_MINUTES,
            run: |state, _| {
                Box::pin(async move {
                    bookings::queue_appointment_reminders(&state)
                        .await
                        .map(drop)
                })
            },
        },
        Job {
            name: "auto_debit",
            every: FIVE_MINUTES,
            run: |state, _| {
                Box::pin(async move { payments::auto_debit_due(&state).await.map(drop) })
            },
        },
        // Renewal reminders (30, 7 and 1 days before cover ends).
        Job {
            name: "renewal_reminders",
            every: FIVE_MINUTES,
            run: |state, _| {
                Box::pin(async move { reminders::queue_renewal_reminders(&state).await.map(drop) })
            },
        },
        // Complaint deadlines: warnings at 50 % and 80 % of the time, and an apology when late.
        Job {
            name: "case_deadline_warnings",
            every: FIVE_MINUTES,
            run: |state, _| {
                Box::pin(async move {
                    let raised = cases::warn_due(&state).await?;
                    if raised > 0 {
                        tracing::info!(warnings = raised, "case deadline warnings raised");
                    }
                    Ok(())
                })
            },
        },
        Job {
            name: "housekeeping",
            every: FIVE_MINUTES,
            run: |state, _| {
                Box::pin(async move {
                    let now = state.clock.now();
                    let sessions = sessions::delete_expired(&state.db.pool, now).await;
                    // Messages a sender claimed and never sent (it died mid-way) go back.
                    let outbox = outbox::release_stale(&state.db.pool, now - 300).await;
                    sessions?;
                    outbox?;
                    Ok(())
                })
            },
        },
    ]
}

/// Starts the jobs; abort the handle to stop them all.
pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    spawn_as(state, app::backend::ids::short_code(12).into())
}

/// The same, holding the leases as `holder` (so that they can be released at shutdown).
pub fn spawn_as(state: AppState, holder: Arc<str>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        // Dropping the set (the handle aborted) aborts every job with it.
        let mut running = JoinSet::new();
        for job in jobs() {
            running.spawn(keep_running(state.clone(), holder.clone(), job));
        }
        while let Some(ended) = running.join_next().await {
            tracing::error!(?ended, "a job loop ended");
        }
    })
}

/// Runs one job on its timer for as long as the process lives.
async fn keep_running(state: AppState, holder: Arc<str>, job: Job) {
    let mut tick = tokio::time::interval(job.every);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut streak = FailureStreak::default();
    loop {
        tick.tick().await;
        match run_once(&state, &holder, &job).await {
            Ok(()) => streak.ended(job.name),
            Err(error) => {
                streak.failed(job.name, &error);
                // The database away: every job failing on every tick would only add load
                // to its recovery. Back off, and come back on the timer once it is up.
                tokio::time::sleep(streak.pause(job.every)).await;
            }
        }
    }
}

/// Claims or renews the job's lease and, when held, runs the job once, in a task of its
/// own so that a panic is caught here, within its time limit.
async fn run_once(state: &AppState, holder: &Arc<str>, job: &Job) -> Result<(), String> {
    // The run's time limit counts from before the claim: a claim that waited on a lock
    // must not let the run outlast the lease it took.
    let deadline = tokio::time::Instant::now() + job.time_limit();
    let now = state.clock.now();
    let until = now + i64::try_from(job.lease().as_secs()).unwrap_or(i64::MAX / 2);
    let held = job_leases::claim(&state.db.pool, job.name, holder, now, until)
        .await
        .map_err(|e| format!("claiming the lease: {e}"))?;
    if !held {
        // Another instance runs it.
        return Ok(());
    }
    // Dropped at the time limit, the set aborts the run.
    let mut run = JoinSet::new();
    run.spawn((job.run)(state.clone(), holder.clone()));
    match tokio::time::timeout_at(deadline, run.join_next()).await {
        Ok(Some(Ok(result))) => result.map_err(|e| format!("{e:#}")),
        Ok(Some(Err(e))) if e.is_panic() => Err("panicked".into()),
        Ok(Some(Err(e))) => Err(e.to_string()),
        Ok(None) => Ok(()),
        Err(_) => Err(format!("cut off after {:?}", job.time_limit())),
    }
}

/// The longest a failing job waits between tries.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// Logs the first failure of a streak and the recovery, not every tick in between.
#[derive(Default)]
struct FailureStreak {
    failures: u64,
}

impl FailureStreak {
    fn failed(&mut self, job: &str, error: &str) {
        if self.failures == 0 {
            tracing::warn!(job, error, "job failed; retrying on its timer");
        } else {
            tracing::debug!(
                job,
                error,
                failures = self.failures + 1,
                "job still failing"
            );
        }
        self.failures += 1;
    }

    /// How long to wait, beyond the timer, after the latest failure: nothing after the
    /// first, then doubling from the job's interval, up to `MAX_BACKOFF`.
    fn pause(&self, every: Duration) -> Duration {
        if self.failures <= 1 {
            return Duration::ZERO;
        }
        let doublings = u32::try_from(self.failures - 2).unwrap_or(u32::MAX).min(16);
        every.saturating_mul(1u32 << doublings).min(MAX_BACKOFF)
    }

    fn ended(&mut self, job: &str) {
        if self.failures > 0 {
            tracing::info!(job, failures = self.failures, "job recovered");
        }
        self.failures = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failing_job_backs_off_up_to_a_minute_and_recovers_at_once() {
        let every = Duration::from_secs(2);
        let mut streak = FailureStreak::default();
        let mut pauses = Vec::new();
        for _ in 0..8 {
            streak.failed("test", "database unreachable");
            pauses.push(streak.pause(every).as_secs());
        }
        assert_eq!(pauses, [0, 2, 4, 8, 16, 32, 60, 60]);
        streak.ended("test");
        assert_eq!(streak.pause(every), Duration::ZERO);
        for _ in 0..100 {
            streak.failed("test", "still away");
        }
        assert_eq!(streak.pause(Duration::from_secs(300)), MAX_BACKOFF);
    }
}
