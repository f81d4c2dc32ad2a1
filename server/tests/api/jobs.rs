use crate::helpers::*;
use app::backend::adapters::payments::{
    BoxFuture, ChargeRequest, GatewayError, GatewayStatus, OneTimeMethod, PaymentGateway,
    SandboxGateway,
};
use app::backend::store::{job_leases, outbox};
use futures::future::join_all;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[tokio::test]
async fn two_instances_racing_for_a_job_leave_it_to_exactly_one() {
    let app = spawn_app().await;
    let pool = &app.state.db.pool;
    let now = app.clock.now();
    let holders: Vec<String> = (0..8).map(|i| format!("instance-{i}")).collect();
    let claims = holders
        .iter()
        .map(|h| job_leases::claim(pool, "sms_sender", h, now, now + 10));
    let won: Vec<bool> = join_all(claims)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(won.iter().filter(|w| **w).count(), 1, "{won:?}");
    let winner = &holders[won.iter().position(|w| *w).unwrap()];
    assert_eq!(
        job_leases::holder(pool, "sms_sender").await.unwrap(),
        Some((winner.clone(), now + 10))
    );
    // The holder renews its lease at every run; the others keep out while it lasts.
    assert!(
        job_leases::claim(pool, "sms_sender", winner, now + 2, now + 12)
            .await
            .unwrap()
    );
    for other in holders.iter().filter(|h| *h != winner) {
        assert!(
            !job_leases::claim(pool, "sms_sender", other, now + 2, now + 12)
                .await
                .unwrap()
        );
    }
    // Another job's lease is a lease of its own.
    assert!(
        job_leases::claim(pool, "housekeeping", &holders[7], now, now + 600)
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn a_lease_left_by_a_dead_instance_is_taken_over_once_it_runs_out() {
    let app = spawn_app().await;
    let pool = &app.state.db.pool;
    let lease = 60;
    let claim = |holder: &'static str| {
        let now = app.clock.now();
        job_leases::claim(pool, "payment_reconciliation", holder, now, now + lease)
    };
    assert!(claim("dead").await.unwrap());
    // "dead" stops renewing. Until its lease runs out, nobody else runs the job...
    app.clock.advance(lease - 5);
    assert!(!claim("alive").await.unwrap());
    // ...then the next instance to try takes it over, and keeps it.
    app.clock.advance(5);
    assert!(claim("alive").await.unwrap());
    assert!(
        !claim("dead").await.unwrap(),
        "a holder back from the dead waits"
    );
    app.clock.advance(lease / 2);
    assert!(claim("alive").await.unwrap());
}

/// What the payment provider does when asked where a charge stands.
#[derive(Clone, Copy)]
enum StatusAnswer {
    /// A connection that never answers.
    Hang,
    /// A provider client with a bug.
    Panic,
}

/// The sandbox provider, except that `status` hangs or panics.
struct BrokenGateway {
    sandbox: SandboxGateway,
    answer: StatusAnswer,
    asked: Arc<AtomicUsize>,
}

impl PaymentGateway for BrokenGateway {
    fn tokenize<'a>(
        &'a self,
        method: OneTimeMethod<'a>,
    ) -> BoxFuture<'a, Result<String, GatewayError>> {
        self.sandbox.tokenize(method)
    }

    fn charge(&self, req: ChargeRequest) -> BoxFuture<'_, Result<String, GatewayError>> {
        self.sandbox.charge(req)
    }

    fn close<'a>(
        &'a self,
        idempotency_key: &'a str,
    ) -> BoxFuture<'a, Result<app::backend::domain::payment::Closed, GatewayError>> {
        self.sandbox.close(idempotency_key)
    }

    fn status<'a>(
        &'a self,
        _gateway_ref: &'a str,
    ) -> BoxFuture<'a, Result<GatewayStatus, GatewayError>> {
        self.asked.fetch_add(1, Ordering::SeqCst);
        let answer = self.answer;
        Box::pin(async move {
            match answer {
                StatusAnswer::Hang => std::future::pending().await,
                StatusAnswer::Panic => panic!("gateway client bug"),
            }
        })
    }
}

/// Waits up to `secs` seconds for `done`.
async fn eventually(secs: u64, mut done: impl FnMut() -> bool) -> bool {
    for _ in 0..secs * 20 {
        if done() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    done()
}

/// A payment waiting for reconciliation: paid with a provider that never calls back,
/// three minutes ago.
async fn payment_awaiting_reconciliation(app: &TestApp, phone: &str) -> String {
    let c = app.customer(phone, "吴用", Some(PASSWORD)).await;
    let due = app.renewal_due(&c, 10, 250_000).await;
    let method = app.saved_method(&c, "tok_timeout").await;
    let b = app.browser();
    b.login_and_step_up(&c).await;
    let id = b.pay_saved(&due, "stale-key-000000000001", &method).await;
    app.clock.advance(3 * 60);
    id
}

async fn queue_code(app: &TestApp, phone: &str, n: u32) {
    outbox::enqueue(
        &app.state.db.pool,
        outbox::NewMessage {
            customer_id: None,
            phone,
            category: "login_code",
            body: &format!("【安心保险】验证码 ******（{n}）"),
            secret_body: None,
            dedupe_key: None,
            now: app.clock.now(),
        },
    )
    .await
    .unwrap();
}

/// Reconciliation stuck in (or crashed by) the gateway while a login code waits to go out.
async fn sms_goes_out_while_reconciliation_is(answer: StatusAnswer, phone: &str) {
    let app = spawn_app().await;
    let payment = payment_awaiting_reconciliation(&app, "13900000201").await;
    let asked = Arc::new(AtomicUsize::new(0));
    let mut state = app.state.clone();
    state.payments = Arc::new(BrokenGateway {
        sandbox: app.gateway.clone(),
        answer,
        asked: asked.clone(),
    });
    let jobs = anxin::jobs::spawn(state);
    assert!(
        eventually(5, || asked.load(Ordering::SeqCst) > 0).await,
        "reconciliation asked the gateway"
    );
    queue_code(&app, phone, 1).await;
    assert!(
        eventually(5, || !app.sms.delivered_to(phone).is_empty()).await,
        "the code went out within seconds"
    );
    // And the sender keeps going.
    queue_code(&app, phone, 2).await;
    assert!(eventually(5, || app.sms.delivered_to(phone).len() == 2).await);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM payments WHERE id = $1 AND state = 'pending'",
            &payment
        )
        .await,
        1,
        "reconciliation never finished"
    );
    jobs.abort();
}

#[tokio::test]
async fn a_payment_gateway_that_never_answers_does_not_hold_up_the_sms_sender() {
    sms_goes_out_while_reconciliation_is(StatusAnswer::Hang, "13900000202").await;
}

#[tokio::test]
async fn a_job_that_panics_does_not_stop_the_others() {
    sms_goes_out_while_reconciliation_is(StatusAnswer::Panic, "13900000203").await;
}

#[tokio::test]
async fn two_instances_running_jobs_send_each_message_from_one_of_them() {
    let app = spawn_app().await;
    let phone = "13900000204";
    let first = anxin::jobs::spawn(app.state.clone());
    let second = anxin::jobs::spawn(app.state.clone());
    for n in 0..3 {
        queue_code(&app, phone, n).await;
        tokio::time::sleep(Duration::from_millis(700)).await;
    }
    assert!(eventually(6, || app.sms.delivered_to(phone).len() == 3).await);
    let (senders,): (i64,) = sqlx::query_as(
        "SELECT COUNT(DISTINCT claimed_by) FROM sms_outbox WHERE phone = $1 AND state = 'sent'",
    )
    .bind(phone)
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    assert_eq!(senders, 1, "the SMS sender ran on the lease holder only");
    first.abort();
    second.abort();
}
