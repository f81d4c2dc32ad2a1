//! Graceful shutdown of the real binary: on SIGTERM it stops accepting, lets a request in
//! flight finish, gives its job leases up (another instance takes over at once) and exits
//! cleanly; and a rolling restart of two instances sharing one port loses no request.

use crate::helpers::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A server process, killed if the test ends without stopping it (a failed assertion), so
/// that it never outlives the test holding a port and database connections.
struct Instance(Child);

impl std::ops::Deref for Instance {
    type Target = Child;
    fn deref(&self) -> &Child {
        &self.0
    }
}

impl std::ops::DerefMut for Instance {
    fn deref_mut(&mut self) -> &mut Child {
        &mut self.0
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        if matches!(self.0.try_wait(), Ok(None)) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// `anxin serve` on a free port; returns the process and its address.
fn serve(database_url: &str) -> (Instance, String) {
    serve_at(database_url, "127.0.0.1:0", false)
}

/// `anxin serve` at `addr`, sharing it with other instances when `reuse_port`.
fn serve_at(database_url: &str, addr: &str, reuse_port: bool) -> (Instance, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_anxin"))
        .arg("serve")
        .env("DATABASE_URL", database_url)
        .env("ANXIN_ADDR", addr)
        .env("ANXIN_REUSEPORT", if reuse_port { "1" } else { "0" })
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
    (Instance(child), addr)
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

    exits_cleanly(&mut child).await;
    assert!(
        std::net::TcpStream::connect(&addr).is_err(),
        "nothing listens any more"
    );
    assert_eq!(held_leases(&app).await, 0, "every lease given up");
}

/// Waits for a process told to stop; asserts it exits cleanly within the linger and the
/// drain time (1 s + 10 s) and a little more.
async fn exits_cleanly(child: &mut Child) {
    let stopped = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(stopped.elapsed() < Duration::from_secs(13), "did not stop");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "a clean exit: {status}");
}

/// Linux resets the connections queued for a listener that closes unless
/// `net.ipv4.tcp_migrate_req` hands them to another socket sharing the port (the README's
/// operations section asks for it too). The test runs as root (CI does), so it sets it
/// for the machine's network namespace when it is off.
fn migrate_queued_connections() {
    const KNOB: &str = "/proc/sys/net/ipv4/tcp_migrate_req";
    if std::fs::read_to_string(KNOB).is_ok_and(|v| v.trim() == "1") {
        return;
    }
    std::fs::write(KNOB, "1").unwrap_or_else(|e| {
        panic!("a rolling restart needs net.ipv4.tcp_migrate_req=1 (sysctl, as root): {e}")
    });
}

#[derive(Default)]
struct Tally {
    ok: std::sync::atomic::AtomicU64,
    failed: std::sync::Mutex<Vec<String>>,
}

/// Requests without pause until `stop`: two signed-in pages, over
/// kept-alive connections (`fresh: false`, as a browser) or a new connection each time.
async fn load(
    base: String,
    cookie: String,
    fresh: bool,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    tally: std::sync::Arc<Tally>,
) {
    use std::sync::atomic::Ordering;
    let mut client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(15));
    if fresh {
        client = client.pool_max_idle_per_host(0);
    }
    let client = client.build().unwrap();
    let mut n = 0u64;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        let path = if n.is_multiple_of(2) {
            "/policies"
        } else {
            "/claims"
        };
        let answer = client
            .get(format!("{base}{path}"))
            .header("Cookie", &cookie)
            .header("Accept", "text/html")
            .send()
            .await;
        match answer {
            Ok(res) if res.status() == reqwest::StatusCode::OK => match res.bytes().await {
                Ok(_) => {
                    tally.ok.fetch_add(1, Ordering::Relaxed);
                }
                Err(e) => tally
                    .failed
                    .lock()
                    .unwrap()
                    .push(format!("{path}: body: {e:?}")),
            },
            Ok(res) => tally
                .failed
                .lock()
                .unwrap()
                .push(format!("{path}: {}", res.status())),
            Err(e) => tally
                .failed
                .lock()
                .unwrap()
                .push(format!("{path} (new connection each time: {fresh}): {e:?}")),
        }
    }
}

#[tokio::test]
async fn a_rolling_restart_of_two_instances_sharing_a_port_loses_no_request() {
    migrate_queued_connections();
    let app = spawn_app().await;
    let url = app.state.config.database_url.clone();
    let customer = app
        .customer("13900002401", "滚动重启", Some("Rolling-Restart-24"))
        .await;

    // Two instances on one port; the second joins the port the first was given.
    let (mut a, addr) = serve_at(&url, "127.0.0.1:0", true);
    let (mut b, joined) = serve_at(&url, &addr, true);
    assert_eq!(joined, addr, "both serve one address");
    let base = format!("http://{addr}");

    let signed_in = Browser {
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        base: base.clone(),
    }
    .login(&customer.phone, "Rolling-Restart-24")
    .await;
    let cookie = session_cookie(&signed_in).expect("signed in through the shared port");
    let cookie = cookie.split(';').next().unwrap().to_owned();

    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let tally = std::sync::Arc::new(Tally::default());
    let workers: Vec<_> = (0..12u32)
        .map(|i| {
            tokio::spawn(load(
                base.clone(),
                cookie.clone(),
                i.is_multiple_of(3),
                stop.clone(),
                tally.clone(),
            ))
        })
        .collect();
    let served = || tally.ok.load(std::sync::atomic::Ordering::Relaxed);
    let started = Instant::now();
    while served() < 20 && started.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    eprintln!("first 20 answers after {:?}", started.elapsed());
    assert!(
        served() >= 20,
        "the load reaches the instances: {:?}",
        tally.failed.lock().unwrap().first()
    );

    // One at a time: start the replacement, then stop the old instance, under load.
    let mut replacements = Vec::new();
    for old in [&mut a, &mut b] {
        let (new, at) = serve_at(&url, &addr, true);
        assert_eq!(at, addr);
        replacements.push(new);
        tokio::time::sleep(Duration::from_millis(300)).await;
        let before = served();
        terminate(old);
        exits_cleanly(old).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert!(served() > before, "requests kept being answered");
    }

    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for w in workers {
        w.await.unwrap();
    }
    let failed = tally.failed.lock().unwrap().clone();
    assert!(
        failed.is_empty(),
        "{} of {} requests failed across the restart, e.g. {:?}",
        failed.len(),
        failed.len() as u64 + served(),
        &failed[..failed.len().min(5)]
    );
    assert!(served() > 200, "a real load: {} requests", served());
    for mut r in replacements {
        terminate(&r);
        exits_cleanly(&mut r).await;
    }
}
