//! Graceful shutdown of the real binary: on SIGTERM it stops accepting, lets a request in
//! flight finish, gives its job leases up (another instance takes over at once) and exits
//! cleanly.

use crate::helpers::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// `anxin serve` on a free port; returns the process and its address.
fn serve(database_url: &str) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_anxin"))
        .arg("serve")
        .env("DATABASE_URL", database_url)
        .env("ANXIN_ADDR", "127.0.0.1:0")
        .env("ANXIN_DEMO", "0")
        .env("ANXIN_SMS_SANDBOX_LOG", "/dev/null")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("the server says where it serves")
            .unwrap();
        if let Some((_, addr)) = line.split_once("serving on http://") {
            break addr.trim().to_owned();
        }
    };
    // Keep reading what it prints, so that it never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    (child, addr)
}

/// Leases held now (by anyone: the in-process test server runs no jobs).
async fn held_leases(app: &TestApp) -> i64 {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM job_leases WHERE lease_until > $1")
        .bind(app.clock.now())
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    n
}

fn terminate(child: &Child) {
    let ok = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "SIGTERM sent");
}

#[tokio::test]
async fn sigterm_finishes_the_request_in_flight_releases_the_leases_and_exits() {
    let app = spawn_app().await;
    let url = app.state.config.database_url.clone();
    let (mut child, addr) = serve(&url);

    // The jobs claim their leases at their first tick.
    let started = Instant::now();
    loop {
        if held_leases(&app).await >= 5 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "jobs never started"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // A request half-sent when the signal comes: its body arrives after it.
    let body = r#"{"phone":"13900000000","text":"T"}"#;
    let mut conn = std::net::TcpStream::connect(&addr).unwrap();
    write!(
        conn,
        "POST /webhooks/sms HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    terminate(&child);
    std::thread::sleep(Duration::from_millis(700));
    conn.write_all(body.as_bytes()).unwrap();
    let mut answer = String::new();
    conn.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    conn.read_to_string(&mut answer).unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 400"),
        "the request in flight was answered (unsigned: 400): {answer}"
    );

    let stopped = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(stopped.elapsed() < Duration::from_secs(12), "did not stop");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "a clean exit: {status}");
    assert!(
        std::net::TcpStream::connect(&addr).is_err(),
        "nothing listens any more"
    );
    assert_eq!(held_leases(&app).await, 0, "every lease given up");
}
