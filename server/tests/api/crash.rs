//! Killed mid-payment (issue 24): the real `anxin` binary is crashed at each step of
//! paying (`ANXIN_FAULT` makes it abort itself; one test sends SIGKILL from outside
//! while the provider's callback is still due), then restarted without the fault on the
//! same database. Whatever the step, the customer is charged at most once, the policy
//! gains a term if and only if they were, one confirmation SMS goes out when they were,
//! and when nothing was taken the offer is payable again after the grace period.

use crate::helpers::*;
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Reconciliation looks at payments unheard of for this long; longer than the grace
/// period, so a charge it finds without a reference is closed, never re-submitted.
const RECONCILE_AFTER_SECS: &str = "3";
const GRACE_SECS: &str = "2";

/// One run of `anxin serve`, killed when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A folder of the test's own for the server's log, files and SMS log: the SQLite
/// database's, or the one the helpers name after the PostgreSQL schema (both are swept
/// by later runs).
fn scratch(database_url: &str) -> std::path::PathBuf {
    let dir = match database_url.split("search_path%3Dt_").nth(1) {
        Some(tag) => std::env::temp_dir().join(format!("anxin-test-{tag}")),
        None => std::path::Path::new(database_url.trim_start_matches("sqlite://"))
            .parent()
            .map_or_else(std::env::temp_dir, std::path::Path::to_path_buf),
    };
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

/// Starts the binary on a free port and waits until it answers `/health`.
async fn start(database_url: &str, fault: Option<&str>) -> Server {
    let dir = scratch(database_url);
    let addr = format!("127.0.0.1:{}", free_port());
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("server.log"))
        .expect("server log");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_anxin"));
    cmd.arg("serve")
        .env("DATABASE_URL", database_url)
        .env("ANXIN_ADDR", &addr)
        .env("ANXIN_DEMO", "0")
        .env("ANXIN_FILES", dir.join("files"))
        .env("ANXIN_SMS_SANDBOX_LOG", dir.join("sms.log"))
        .env("ANXIN_PAYMENT_WAIT_MS", "0")
        .env("ANXIN_PAYMENT_GRACE_SECS", GRACE_SECS)
        .env("ANXIN_RECONCILE_AFTER_SECS", RECONCILE_AFTER_SECS)
        .env_remove("ANXIN_ENV")
        .env_remove("ANXIN_FAULT")
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("log handle"))
        .stderr(log);
    if let Some(f) = fault {
        cmd.env("ANXIN_FAULT", f);
    }
    let mut server = Server {
        child: cmd.spawn().expect("start anxin"),
        base: format!("http://{addr}"),
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(r) = reqwest::get(format!("{}/health", server.base)).await {
            if r.status().is_success() {
                return server;
            }
        }
        if let Ok(Some(status)) = server.child.try_wait() {
            panic!("anxin exited at start: {status}; see {}", dir.display());
        }
        assert!(Instant::now() < deadline, "anxin did not start in 30 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits for the server to die of the injected fault (SIGABRT).
async fn aborted(server: &mut Server) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = server.child.try_wait().expect("wait") {
            assert_eq!(status.signal(), Some(libc::SIGABRT), "{status}");
            return;
        }
        assert!(Instant::now() < deadline, "the fault never fired");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// `anxin run-job reconcile` against the same database: a second instance.
fn reconcile_once(database_url: &str) {
    let dir = scratch(database_url);
    let out = Command::new(env!("CARGO_BIN_EXE_anxin"))
        .args(["run-job", "reconcile"])
        .env("DATABASE_URL", database_url)
        .env("ANXIN_DEMO", "0")
        .env("ANXIN_FILES", dir.join("files"))
        .env("ANXIN_SMS_SANDBOX_LOG", dir.join("sms.log"))
        .env("ANXIN_PAYMENT_GRACE_SECS", GRACE_SECS)
        .env("ANXIN_RECONCILE_AFTER_SECS", RECONCILE_AFTER_SECS)
        .env_remove("ANXIN_FAULT")
        .output()
        .expect("run anxin run-job reconcile");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A customer with a renewal due and a saved method with this sandbox token, seeded
/// through an in-process app on the same database (its own port; it pays nothing).
struct Seeded {
    app: TestApp,
    customer: Customer,
    due: DueRenewal,
    method: String,
}

async fn seed(database_url: &str, phone: &str, token: &str) -> Seeded {
    let app = spawn_app_on(database_url).await;
    let customer = app.customer(phone, "韩信", Some(PASSWORD)).await;
    let due = app.renewal_due(&customer, 10, 250_000).await;
    let method = app.saved_method(&customer, token).await;
    Seeded {
        app,
        customer,
        due,
        method,
    }
}

/// A browser signed in (password, then the ID digits) on the real server.
async fn signed_in(s: &Seeded, server: &Server) -> Browser {
    let mut b = s.app.browser();
    b.base = server.base.clone();
    b.login_and_step_up(&s.customer).await;
    b
}

/// A pay tap whose answer may never come (the server dies under it).
async fn tap_pay(b: &Browser, s: &Seeded, key: &str) -> Option<String> {
    let method = format!("saved:{}", s.method);
    let res = b
        .client
        .post(format!("{}/api/pay_renewal", b.base))
        .header(reqwest::header::ACCEPT, "text/html")
        .form(&[
            ("policy_id", s.due.policy_id.as_str()),
            ("offer_id", &s.due.offer_id),
            ("version", "1"),
            ("key", key),
            ("method", &method),
            ("card_no", ""),
        ])
        .send()
        .await
        .ok()?;
    let to = redirected(&res);
    to.strip_prefix("/payments/").map(str::to_owned)
}

/// The one payment of the offer (there is only ever one per pay tap here).
async fn first_payment(s: &Seeded) -> (String, String) {
    sqlx::query_as("SELECT id, state FROM payments WHERE offer_id = $1 ORDER BY created_at LIMIT 1")
        .bind(&s.due.offer_id)
        .fetch_one(&s.app.state.db.pool)
        .await
        .expect("the pay tap claimed its key before the crash")
}

async fn wait_settled(s: &Seeded, payment_id: &str, secs: u64) -> String {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let (state,): (String,) = sqlx::query_as("SELECT state FROM payments WHERE id = $1")
            .bind(payment_id)
            .fetch_one(&s.app.state.db.pool)
            .await
            .unwrap();
        if state != "created" && state != "pending" {
            return state;
        }
        assert!(
            Instant::now() < deadline,
            "payment still {state} after {secs} s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn terms(s: &Seeded) -> i64 {
    s.app
        .count(
            "SELECT COUNT(*) FROM policy_terms WHERE policy_id = $1",
            &s.due.policy_id,
        )
        .await
}

async fn sms(s: &Seeded, dedupe_prefix: &str) -> i64 {
    s.app
        .count(
            "SELECT COUNT(*) FROM sms_outbox WHERE dedupe_key LIKE $1",
            &format!("{dedupe_prefix}%"),
        )
        .await
}

/// What every crash must leave: at most one charge, and a term and one confirmation
/// exactly when charged.
async fn charged_at_most_once(s: &Seeded) -> bool {
    let (rows,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM sandbox_ledger WHERE amount_fen > 0")
            .fetch_one(&s.app.state.db.pool)
            .await
            .unwrap();
    assert!(rows <= 1, "the provider booked {rows} charges");
    let (n, total) = s.app.gateway.charged().await.unwrap();
    assert!(n <= 1);
    let charged = n == 1;
    if charged {
        assert_eq!(total, s.due.premium_fen);
    }
    assert_eq!(
        terms(s).await,
        if charged { 2 } else { 1 },
        "a term iff charged"
    );
    assert_eq!(
        sms(s, "payment:").await,
        i64::from(charged),
        "one confirmation iff charged"
    );
    charged
}

/// The offer can be paid again, once, after an expiry.
async fn paid_again(s: &Seeded, b: &Browser) {
    let id = tap_pay(b, s, "crash-retry-key-00000001")
        .await
        .expect("paying again is accepted");
    assert_eq!(wait_settled(s, &id, 15).await, "succeeded");
    assert_eq!(
        s.app.gateway.charged().await.unwrap(),
        (1, s.due.premium_fen)
    );
    assert_eq!(terms(s).await, 2);
    assert_eq!(sms(s, "payment:").await, 1);
}

#[tokio::test]
async fn killed_before_the_gateway_charges_nothing_and_the_offer_is_paid_again() {
    let url = fresh_database().await;
    let s = seed(&url, "13900002401", "tok_ok").await;
    let mut server = start(&url, Some("pay:before_gateway")).await;
    let b = signed_in(&s, &server).await;
    assert_eq!(tap_pay(&b, &s, "crash-key-before-000001").await, None);
    aborted(&mut server).await;
    let (id, state) = first_payment(&s).await;
    assert_eq!(state, "created");

    // Past the grace period, two instances reconcile at once: one expiry, one SMS. (They
    // run as `anxin run-job`, which takes no job lease; a restarted server reconciling
    // beside them would make three, a race a lease-holding deployment never has.)
    tokio::time::sleep(Duration::from_secs(4)).await;
    let (u1, u2) = (url.clone(), url.clone());
    let a = tokio::task::spawn_blocking(move || reconcile_once(&u1));
    let c = tokio::task::spawn_blocking(move || reconcile_once(&u2));
    a.await.unwrap();
    c.await.unwrap();
    assert_eq!(wait_settled(&s, &id, 5).await, "expired");
    assert!(!charged_at_most_once(&s).await, "nothing was taken");
    assert_eq!(
        sms(&s, "payment-expired:").await,
        1,
        "one 'nothing taken' SMS"
    );

    let server = start(&url, None).await;
    let b = signed_in(&s, &server).await;
    paid_again(&s, &b).await;
}

#[tokio::test]
async fn killed_after_the_gateway_charged_renews_once_after_the_restart() {
    let url = fresh_database().await;
    let s = seed(&url, "13900002402", "tok_ok").await;
    let mut server = start(&url, Some("pay:after_gateway")).await;
    let b = signed_in(&s, &server).await;
    assert_eq!(tap_pay(&b, &s, "crash-key-after-0000001").await, None);
    aborted(&mut server).await;
    let (id, state) = first_payment(&s).await;
    assert_eq!(
        state, "created",
        "the crash came before `pending` was recorded"
    );

    // The provider still owes its callback: the restarted server receives it.
    let _server = start(&url, None).await;
    assert_eq!(wait_settled(&s, &id, 15).await, "succeeded");
    tokio::time::sleep(Duration::from_secs(4)).await;
    reconcile_once(&url);
    assert!(charged_at_most_once(&s).await);
}

#[tokio::test]
async fn killed_before_the_webhook_commits_renews_once_after_the_restart() {
    let url = fresh_database().await;
    let s = seed(&url, "13900002403", "tok_ok").await;
    let mut server = start(&url, Some("webhook:before_commit")).await;
    let b = signed_in(&s, &server).await;
    let _ = tap_pay(&b, &s, "crash-key-webhook-00001").await;
    aborted(&mut server).await;
    let (id, state) = first_payment(&s).await;
    assert_eq!(state, "pending", "the settling transaction never committed");
    assert_eq!(terms(&s).await, 1);

    let _server = start(&url, None).await;
    assert_eq!(wait_settled(&s, &id, 15).await, "succeeded");
    tokio::time::sleep(Duration::from_secs(4)).await;
    reconcile_once(&url);
    assert!(charged_at_most_once(&s).await);
}

#[tokio::test]
async fn sigkill_while_the_providers_callback_is_due_renews_once_after_the_restart() {
    let url = fresh_database().await;
    // The sandbox calls back after 5 s; the server is killed 1.5 s after the tap.
    let s = seed(&url, "13900002404", "tok_late").await;
    let mut server = start(&url, None).await;
    let b = signed_in(&s, &server).await;
    let id = tap_pay(&b, &s, "crash-key-sigkill-00001")
        .await
        .expect("the tap is answered before the kill");
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    server.child.kill().expect("SIGKILL");
    let status = server.child.wait().expect("wait");
    assert_eq!(status.signal(), Some(libc::SIGKILL));
    assert_eq!(first_payment(&s).await.1, "pending");

    let _server = start(&url, None).await;
    assert_eq!(wait_settled(&s, &id, 20).await, "succeeded");
    tokio::time::sleep(Duration::from_secs(4)).await;
    reconcile_once(&url);
    assert!(charged_at_most_once(&s).await);
}

#[tokio::test]
async fn production_refuses_fault_injection() {
    let url = fresh_database().await;
    let out = Command::new(env!("CARGO_BIN_EXE_anxin"))
        .args(["migrate"])
        .env("DATABASE_URL", &url)
        .env("ANXIN_ENV", "production")
        .env(
            "ANXIN_SECRET_KEY",
            "a-real-secret-of-at-least-thirty-two-chars",
        )
        .env(
            "ANXIN_WEBHOOK_SECRET",
            "another-real-secret-of-thirty-two-chars!",
        )
        .env("ANXIN_ALLOW_SANDBOX", "1")
        .env("ANXIN_FAULT", "pay:after_gateway")
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "a fault is never injected in production"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("ANXIN_FAULT"));
    let unknown = Command::new(env!("CARGO_BIN_EXE_anxin"))
        .args(["migrate"])
        .env("DATABASE_URL", &url)
        .env_remove("ANXIN_ENV")
        .env("ANXIN_FAULT", "pay:sometime")
        .output()
        .unwrap();
    assert!(
        !unknown.status.success(),
        "an unknown fault is a typo, not silence"
    );
}

/// The in-process provider is replaced by another on the same database (our server
/// restarted): it still knows the charge, and reconciliation settles it from its answer.
#[tokio::test]
async fn the_providers_ledger_survives_a_restart() {
    use app::backend::services::payments::reconcile;
    let url = fresh_database().await;
    // A provider that never calls back, but answers when asked.
    let s = seed(&url, "13900002405", "tok_timeout").await;
    let b = s.app.browser();
    b.login_and_step_up(&s.customer).await;
    let id = b
        .pay_saved(&s.due, "ledger-key-000000000001", &s.method)
        .await;
    let restarted = spawn_app_on(&url).await;
    assert_eq!(
        restarted.gateway.charged().await.unwrap(),
        (1, s.due.premium_fen)
    );
    // The same key charges nothing more at the new instance's provider.
    let again = b
        .pay_saved(&s.due, "ledger-key-000000000001", &s.method)
        .await;
    assert_eq!(again, id);
    restarted.clock.advance(3 * 60);
    assert_eq!(reconcile(&restarted.state, 120).await.unwrap(), 1);
    assert_eq!(restarted.settled_state(&id).await, "succeeded");
    assert_eq!(
        restarted.gateway.charged().await.unwrap(),
        (1, s.due.premium_fen)
    );
    assert_eq!(terms(&s).await, 2);
}

/// A pending payment whose charge the provider has no record of (the ledger an old
/// in-memory sandbox lost): after the grace period it expires, never succeeds, once,
/// with one SMS, even with two instances reconciling at once; the offer is paid again.
#[tokio::test]
async fn a_charge_the_provider_does_not_know_expires_once_after_the_grace_period() {
    use app::backend::domain::payment::DEFAULT_GRACE_SECS;
    use app::backend::services::payments::reconcile;
    let url = fresh_database().await;
    let s = seed(&url, "13900002406", "tok_timeout").await;
    let b = s.app.browser();
    b.login_and_step_up(&s.customer).await;
    let id = b
        .pay_saved(&s.due, "forgot-key-000000000001", &s.method)
        .await;
    sqlx::query("DELETE FROM sandbox_ledger")
        .execute(&s.app.state.db.pool)
        .await
        .unwrap();
    let other = spawn_app_on(&url).await;
    s.app.clock.advance(3 * 60);
    other.clock.advance(3 * 60);
    assert_eq!(
        reconcile(&s.app.state, 120).await.unwrap(),
        0,
        "within grace"
    );
    assert_eq!(first_payment(&s).await.1, "pending");
    s.app.clock.advance(DEFAULT_GRACE_SECS);
    other.clock.advance(DEFAULT_GRACE_SECS);
    let (one, two) = tokio::join!(reconcile(&s.app.state, 120), reconcile(&other.state, 120));
    assert_eq!(one.unwrap() + two.unwrap(), 1, "one expiry");
    assert_eq!(first_payment(&s).await, (id, "expired".to_owned()));
    assert_eq!(sms(&s, "payment-expired:").await, 1, "one SMS");
    let (body,): (String,) =
        sqlx::query_as("SELECT body FROM sms_outbox WHERE dedupe_key LIKE 'payment-expired:%'")
            .fetch_one(&s.app.state.db.pool)
            .await
            .unwrap();
    assert!(body.contains("未扣款"), "{body}");
    assert!(!charged_at_most_once(&s).await);
    b.login_and_step_up(&s.customer).await;
    let paid = b
        .pay_saved(&s.due, "forgot-retry-key-000001", &s.method)
        .await;
    s.app.clock.advance(3 * 60);
    assert_eq!(reconcile(&s.app.state, 120).await.unwrap(), 1);
    assert_eq!(s.app.settled_state(&paid).await, "succeeded");
    assert_eq!(terms(&s).await, 2);
}
