use crate::helpers::*;
use std::io::Write;
use std::process::{Command, Stdio};

fn anxin(database_url: &str, args: &[&str], stdin: &str) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_anxin"))
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("ANXIN_DEMO", "0")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[tokio::test]
async fn staff_add_creates_a_member_of_staff_who_can_log_in() {
    let url = fresh_database().await;
    let out = anxin(
        &url,
        &[
            "staff",
            "add",
            "--username",
            "claims.cli",
            "--role",
            "claims",
            "--name",
            "命令行",
        ],
        &format!("{PASSWORD}\n"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let dup = anxin(
        &url,
        &[
            "staff",
            "add",
            "--username",
            "claims.cli",
            "--role",
            "claims",
        ],
        &format!("{PASSWORD}\n"),
    );
    assert!(!dup.status.success());
    let weak = anxin(
        &url,
        &["staff", "add", "--username", "weak.cli", "--role", "agent"],
        "password\n",
    );
    assert!(!weak.status.success());
    let role = anxin(
        &url,
        &["staff", "add", "--username", "x.cli", "--role", "boss"],
        &format!("{PASSWORD}\n"),
    );
    assert!(!role.status.success());

    let app = spawn_app_on(&url).await;
    let b = app.browser();
    let res = b.staff_login("claims.cli", PASSWORD).await;
    assert_eq!(redirected(&res), "/staff");
    assert!(b.page("/staff").await.contains("理赔专员"));
}

#[test]
fn every_command_has_help() {
    for args in [
        &["--help"][..],
        &["serve", "--help"],
        &["migrate", "--help"],
        &["demo", "--help"],
        &["staff", "add", "--help"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_anxin"))
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}");
        assert!(!out.stdout.is_empty());
    }
}

#[tokio::test]
async fn production_refuses_the_development_secrets() {
    let url = fresh_database().await;
    let out = Command::new(env!("CARGO_BIN_EXE_anxin"))
        .args(["migrate"])
        .env("DATABASE_URL", &url)
        .env("ANXIN_ENV", "production")
        .env_remove("ANXIN_SECRET_KEY")
        .env_remove("ANXIN_WEBHOOK_SECRET")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("ANXIN_SECRET_KEY"));
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
        .env_remove("ANXIN_ALLOW_SANDBOX")
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "production never pays through the sandbox"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("ANXIN_ALLOW_SANDBOX"));
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
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "a staging deployment may say so: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn staff_disable_ends_that_persons_sessions_at_once() {
    let app = spawn_app().await;
    app.staff("agent.leaving", app::model::StaffRole::Agent)
        .await;
    let b = app.browser();
    assert_eq!(
        redirected(&b.staff_login("agent.leaving", PASSWORD).await),
        "/staff"
    );
    assert_eq!(b.get("/staff").await.status(), 200);
    let out = anxin(
        &app.state.config.database_url,
        &["staff", "disable", "agent.leaving"],
        "",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 session(s) ended"));
    assert_eq!(redirected(&b.get("/staff").await), "/staff/login");
    let again = b.staff_login("agent.leaving", PASSWORD).await;
    assert!(redirected(&again).contains("error=staff_bad_credentials"));
}

#[tokio::test]
async fn bench_data_fills_a_database_on_which_every_page_of_a_bulk_customer_works() {
    let url = fresh_database().await;
    // The demo's claim documents go to a folder of the test's own, on either engine.
    let files = std::env::temp_dir().join(format!("anxin-bench-files-{}", std::process::id()));
    let bench_data = |customers: &str, policies: &str| {
        Command::new(env!("CARGO_BIN_EXE_anxin"))
            .args([
                "bench-data",
                "--customers",
                customers,
                "--policies",
                policies,
            ])
            .env("DATABASE_URL", &url)
            .env("ANXIN_FILES", &files)
            .output()
            .unwrap()
    };
    let out = bench_data("40", "410");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("40 customers, 410 policies"), "{said}");
    let again = bench_data("4", "4");
    assert!(!again.status.success(), "only into an empty database");

    let app = spawn_app_on(&url).await;
    let bulk = |sql: &str| {
        format!("{sql} WHERE customer_id IN (SELECT id FROM customers WHERE phone LIKE $1)")
    };
    assert_eq!(
        app.count(&bulk("SELECT COUNT(*) FROM policies"), "139%")
            .await,
        410
    );
    assert!(
        app.count(&bulk("SELECT COUNT(*) FROM claims"), "139%")
            .await
            >= 20
    );
    assert_eq!(
        app.count(&bulk("SELECT COUNT(*) FROM sms_outbox"), "139%")
            .await,
        120
    );
    assert!(
        app.count(
            &bulk("SELECT COUNT(*) FROM renewal_offers").replace(
                " WHERE customer_id",
                " WHERE state = 'open' AND customer_id"
            ),
            "139%"
        )
        .await
            >= 10,
        "policies due within 30 days have an open offer"
    );

    // Bulk customer 1, as the benchmark uses it: ten or eleven policies, one due, one claim.
    let b = app.browser();
    let res = b
        .login("13900000001", app::backend::demo::CUSTOMER_PASSWORD)
        .await;
    assert_eq!(redirected(&res), "/");
    let list = b.page("/policies").await;
    let renew = list
        .split("href=\"")
        .filter_map(|s| s.split('"').next())
        .find(|h| h.ends_with("/renew"))
        .expect("a renewal link")
        .to_owned();
    assert_eq!(b.get(&renew).await.status(), reqwest::StatusCode::OK);
    let policy = renew.trim_end_matches("/renew").to_owned();
    assert_eq!(b.get(&policy).await.status(), reqwest::StatusCode::OK);
    let claims = b.page("/claims").await;
    let claim = claims
        .split("href=\"")
        .filter_map(|s| s.split('"').next())
        .find(|h| h.starts_with("/claims/") && h.len() > 20)
        .expect("a claim link")
        .to_owned();
    let page = b.page(&claim).await;
    assert!(page.contains("CL2025"), "the claim's number");
    let _ = std::fs::remove_dir_all(&files);
}
