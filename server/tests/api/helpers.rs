use anxin::router;
use app::backend::auth::activation::id_last4_hash;
use app::backend::auth::passwords;
use app::backend::store::renewals;
use app::backend::store::seed::{self, insert, V};
use app::backend::{AppState, Clock, Config};
use app::model::IdLast4;
use reqwest::header::{HeaderMap, ACCEPT, LOCATION, SET_COOKIE};
use reqwest::{redirect, Client, Response, StatusCode};
use std::net::SocketAddr;
use std::sync::Arc;

pub const PASSWORD: &str = "Harbour-Lantern-Quilt-73";

pub struct TestApp {
    pub base: String,
    pub state: AppState,
    pub clock: Clock,
    /// The sandbox payment provider: what it charged is what the customer pays.
    pub gateway: app::backend::adapters::payments::SandboxGateway,
    /// The SMS sandbox: what a phone received. The only place a test reads a code from.
    pub sms: Arc<app::backend::adapters::sms::SandboxSms>,
}

/// Test databases older than this belong to finished runs, never to a running test.
const STALE_SECS: u64 = 3600;

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Whether a test database named `{prefix}{unix seconds}_{tag}` is from a finished run.
/// Anything else is left alone (it may belong to a run of some other checkout).
fn stale(name: &str, prefix: &str) -> bool {
    name.strip_prefix(prefix)
        .and_then(|rest| rest.split_once('_'))
        .and_then(|(t, _)| t.parse::<u64>().ok())
        .is_some_and(|t| t + STALE_SECS < unix_now())
}

/// Once per test run: removes the schemas (PostgreSQL) and folders (SQLite files, stored
/// files) that earlier runs left behind, so that repeated runs do not fill the database or
/// the disk.
static SWEPT: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();

async fn sweep_postgres(conn: &mut sqlx::AnyConnection) {
    let schemas: Vec<(String,)> = sqlx::query_as(
        "SELECT CAST(schema_name AS TEXT) FROM information_schema.schemata WHERE schema_name LIKE 't!_%' ESCAPE '!'",
    )
    .fetch_all(&mut *conn)
    .await
    .expect("list test schemas");
    for (name,) in schemas.into_iter().filter(|(n,)| stale(n, "t_")) {
        let _ = sqlx::query(&format!("DROP SCHEMA IF EXISTS \"{name}\" CASCADE"))
            .execute(&mut *conn)
            .await;
    }
}

fn sweep_sqlite() {
    let Ok(dirs) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for dir in dirs.flatten() {
        if stale(&dir.file_name().to_string_lossy(), "anxin-test-") {
            let _ = std::fs::remove_dir_all(dir.path());
        }
    }
}

/// A fresh database URL for one test.
pub async fn fresh_database() -> String {
    let tag = format!(
        "{}_{}",
        unix_now(),
        app::backend::ids::short_code(8).to_lowercase()
    );
    if std::env::var("ANXIN_TEST_ENGINE").as_deref() == Ok("postgres") {
        let base = std::env::var("ANXIN_TEST_PG")
            .expect("ANXIN_TEST_ENGINE=postgres needs ANXIN_TEST_PG, e.g. postgres://postgres@127.0.0.1:5432/test");
        sqlx::any::install_default_drivers();
        let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&base)
            .await
            .unwrap_or_else(|e| panic!("PostgreSQL at ANXIN_TEST_PG is unreachable: {e}"));
        let conn_ref = &mut conn;
        SWEPT
            .get_or_init(|| async move {
                sweep_postgres(conn_ref).await;
                sweep_sqlite();
            })
            .await;
        let schema = format!("t_{tag}");
        sqlx::query(&format!("CREATE SCHEMA {schema}"))
            .execute(&mut conn)
            .await
            .expect("create schema");
        let sep = if base.contains('?') { '&' } else { '?' };
        format!("{base}{sep}options=-c%20search_path%3D{schema}")
    } else {
        SWEPT.get_or_init(|| async { sweep_sqlite() }).await;
        let dir = std::env::temp_dir().join(format!("anxin-test-{tag}"));
        std::fs::create_dir_all(&dir).unwrap();
        format!("sqlite://{}/anxin.db", dir.display())
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_on(&fresh_database().await).await
}

pub async fn spawn_app_on(database_url: &str) -> TestApp {
    spawn_app_with(database_url, |_| {}).await
}

/// `spawn_app_on` with the configuration changed first (an https public URL, say).
pub async fn spawn_app_with(database_url: &str, change: impl FnOnce(&mut Config)) -> TestApp {
    let clock = Clock::system();
    let mut config = Config::for_tests(database_url);
    // A SQLite test keeps its files beside its database; a PostgreSQL one in a folder named
    // after its schema, so that two instances on one database share files and tests never do.
    if let Some(tag) = database_url.split("search_path%3Dt_").nth(1) {
        let dir = std::env::temp_dir().join(format!("anxin-test-{tag}"));
        config.files = app::backend::config::FilesLocation::Local(dir.join("files"));
    }
    change(&mut config);
    let mut state = anxin::prepare(config, clock.clone())
        .await
        .expect("prepare app");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let gateway = anxin::sandbox_gateway(&state, addr);
    state.payments = Arc::new(gateway.clone());
    let sms = Arc::new(app::backend::adapters::sms::SandboxSms::default());
    state.sms = sms.clone();
    let app = router(state.clone());
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    TestApp {
        base: format!("http://{addr}"),
        state,
        clock,
        gateway,
        sms,
    }
}

/// One person's browser: a cookie jar, no automatic redirects (tests look at them).
pub struct Browser {
    pub client: Client,
    pub base: String,
}

impl TestApp {
    pub fn browser(&self) -> Browser {
        let jar = Arc::new(reqwest::cookie::Jar::default());
        let client = Client::builder()
            .cookie_provider(jar.clone())
            .redirect(redirect::Policy::none())
            .build()
            .unwrap();
        Browser {
            client,
            base: self.base.clone(),
        }
    }

    /// A customer with a policy; `password: None` means never activated.
    pub async fn customer(&self, phone: &str, name: &str, password: Option<&str>) -> Customer {
        let mut conn = self.state.db.pool.acquire().await.unwrap();
        let id = app::backend::ids::new_id();
        let last4 = IdLast4::parse("123X").unwrap();
        let hash = password.map(|p| passwords::hash_blocking(p).unwrap());
        let now = self.clock.now();
        insert(
            &mut conn,
            "customers",
            &[
                "id",
                "phone",
                "name",
                "id_number_masked",
                "id_last4_hash",
                "birth_date",
                "password_hash",
                "activated_at",
                "created_at",
            ],
            vec![
                id.clone().into(),
                phone.into(),
                name.into(),
                "3101**********123X".into(),
                id_last4_hash(&self.state, &id, &last4).into(),
                "1980-05-01".into(),
                hash.clone().into(),
                hash.as_ref().map(|_| now).into(),
                now.into(),
            ],
        )
        .await
        .unwrap();
        let product = self.product().await;
        let policy_id = app::backend::ids::new_id();
        let policy_no = format!("PA2026{}", &phone[3..]);
        seed::policy(
            &mut conn,
            &seed::NewPolicy {
                id: &policy_id,
                customer_id: &id,
                product_id: &product,
                policy_no: &policy_no,
                status: "active",
                insured_object: "沪A·D1234",
                auto_debit: false,
                verification_code: &app::backend::ids::short_code(12),
                created_at: now,
            },
        )
        .await
        .unwrap();
        seed::term(
            &mut conn,
            &seed::NewTerm {
                id: &app::backend::ids::new_id(),
                policy_id: &policy_id,
                customer_id: &id,
                term_no: 1,
                start_date: "2026-01-01",
                end_date: "2026-12-31",
                premium_fen: 345_600,
                created_at: now,
            },
        )
        .await
        .unwrap();
        Customer {
            phone: phone.into(),
            policy_no,
            id_last4: "123X".into(),
        }
    }

    pub async fn product(&self) -> String {
        let existing: Option<(String,)> =
            sqlx::query_as("SELECT id FROM products WHERE code = 'TEST_AUTO'")
                .fetch_optional(&self.state.db.pool)
                .await
                .unwrap();
        if let Some((id,)) = existing {
            return id;
        }
        let id = app::backend::ids::new_id();
        let mut conn = self.state.db.pool.acquire().await.unwrap();
        insert(
            &mut conn,
            "products",
            &[
                "id",
                "code",
                "line",
                "name_zh",
                "name_en",
                "base_premium_fen",
            ],
            vec![
                id.clone().into(),
                "TEST_AUTO".into(),
                "auto".into(),
                "测试车险".into(),
                "Test Motor".into(),
                V::I(300_000),
            ],
        )
        .await
        .unwrap();
        id
    }

    pub async fn staff(&self, username: &str, role: app::model::StaffRole) {
        app::backend::auth::staff::add(
            &self.state,
            username,
            "测试员工",
            role,
            PASSWORD.to_owned().into(),
        )
        .await
        .unwrap();
    }

    /// The newest SMS text sent to `phone`.
    pub async fn last_sms(&self, phone: &str) -> Option<String> {
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT body FROM sms_outbox WHERE phone = $1 ORDER BY created_at DESC, id DESC LIMIT 1",
        )
        .bind(phone)
        .fetch_optional(&self.state.db.pool)
        .await
        .unwrap();
        row.map(|(b,)| b)
    }

    /// The code in the newest one-time-code SMS that reached `phone` (login, activation,
    /// checks), as the phone would read it: the sender runs, then the sandbox is asked.
    pub async fn last_code(&self, phone: &str) -> String {
        app::backend::services::sms::dispatch(&self.state, "test-sender")
            .await
            .unwrap();
        let delivered = self.sms.delivered_to(phone);
        let body = delivered
            .iter()
            .rev()
            .map(|d| d.body.as_str())
            .find(|b| has_code(b))
            .expect("a code delivered to the phone");
        code_in(body)
    }

    /// The short-link code in the newest SMS to `phone` (a renewal reminder).
    pub async fn newest_link_code(&self, phone: &str) -> String {
        let body = self.last_sms(phone).await.expect("an SMS");
        let start = body.find("/s/").expect("a short link") + 3;
        body[start..]
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect()
    }

    pub async fn sms_count(&self, phone: &str) -> i64 {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sms_outbox WHERE phone = $1")
            .bind(phone)
            .fetch_one(&self.state.db.pool)
            .await
            .unwrap();
        n
    }
}

fn has_code(sms: &str) -> bool {
    sms.as_bytes()
        .windows(6)
        .any(|w| w.iter().all(u8::is_ascii_digit))
}

/// The six-digit code in an SMS text.
pub fn code_in(sms: &str) -> String {
    sms.as_bytes()
        .windows(6)
        .find(|w| w.iter().all(u8::is_ascii_digit))
        .map(|w| String::from_utf8(w.to_vec()).unwrap())
        .expect("a six-digit code in the message")
}

pub struct Customer {
    pub phone: String,
    pub policy_no: String,
    pub id_last4: String,
}

impl Browser {
    /// A plain HTML form post, as a browser without JavaScript sends it.
    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> Response {
        self.client
            .post(format!("{}{path}", self.base))
            .header(ACCEPT, "text/html,application/xhtml+xml")
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// The same form post, made by a page on another site (a forged request).
    pub async fn post_from_elsewhere(&self, path: &str, form: &[(&str, &str)]) -> Response {
        self.client
            .post(format!("{}{path}", self.base))
            .header(ACCEPT, "text/html,application/xhtml+xml")
            .header("origin", "http://evil.example")
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// A multipart form post with files, as a browser without JavaScript sends it:
    /// `files` are (field, file name, bytes).
    pub async fn post_multipart(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, Vec<u8>)],
    ) -> Response {
        let mut form = reqwest::multipart::Form::new();
        for (k, v) in fields {
            form = form.text(k.to_string(), v.to_string());
        }
        for (field, name, bytes) in files {
            let part = reqwest::multipart::Part::bytes(bytes.clone()).file_name(name.to_string());
            form = form.part(field.to_string(), part);
        }
        self.client
            .post(format!("{}{path}", self.base))
            .header(ACCEPT, "text/html,application/xhtml+xml")
            .multipart(form)
            .send()
            .await
            .unwrap()
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(format!("{}{path}", self.base))
            .header(ACCEPT, "text/html")
            .send()
            .await
            .unwrap()
    }

    pub async fn login(&self, phone: &str, password: &str) -> Response {
        self.post_form(
            "/api/login",
            &[("phone", phone), ("password", password), ("next", "/")],
        )
        .await
    }

    pub async fn staff_login(&self, username: &str, password: &str) -> Response {
        self.post_form(
            "/api/staff_login",
            &[("username", username), ("password", password)],
        )
        .await
    }

    /// The page body, asserting a 200.
    pub async fn page(&self, path: &str) -> String {
        let res = self.get(path).await;
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "GET {path} → {:?}",
            location(res.headers())
        );
        res.text().await.unwrap()
    }
}

pub fn location(headers: &HeaderMap) -> String {
    headers
        .get(LOCATION)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// Asserts a redirect (302 from server functions, 303 from the multipart routes) and
/// returns where it points.
pub fn redirected(res: &Response) -> String {
    assert!(
        res.status() == StatusCode::FOUND || res.status() == StatusCode::SEE_OTHER,
        "expected a redirect, got {}",
        res.status()
    );
    location(res.headers())
}

pub fn session_cookie(res: &Response) -> Option<String> {
    res.headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("anxin_sid="))
}

/// A policy of `customer` whose cover ends in `days` days, with an open renewal offer.
pub struct DueRenewal {
    pub policy_id: String,
    pub offer_id: String,
    pub premium_fen: i64,
    pub old_end: String,
    pub new_start: String,
}

impl TestApp {
    pub async fn customer_id(&self, phone: &str) -> String {
        let (id,): (String,) = sqlx::query_as("SELECT id FROM customers WHERE phone = $1")
            .bind(phone)
            .fetch_one(&self.state.db.pool)
            .await
            .unwrap();
        id
    }

    pub async fn renewal_due(&self, c: &Customer, days: u64, previous_fen: i64) -> DueRenewal {
        use app::backend::domain::renewal::{quote, RenewalFactors};
        use app::model::Money;
        use chrono::Days;
        let customer_id = self.customer_id(&c.phone).await;
        let mut conn = self.state.db.pool.acquire().await.unwrap();
        let today = self.clock.today_shanghai();
        let end = today + Days::new(days);
        let start = end - Days::new(364);
        let product = self.product().await;
        let policy_id = app::backend::ids::new_id();
        let now = self.clock.now();
        let digits: String = policy_id
            .bytes()
            .map(|b| char::from(b'0' + b % 10))
            .take(10)
            .collect();
        let no = format!("PA{digits}");
        seed::policy(
            &mut conn,
            &seed::NewPolicy {
                id: &policy_id,
                customer_id: &customer_id,
                product_id: &product,
                policy_no: &no,
                status: "active",
                insured_object: "沪A·K5678",
                auto_debit: false,
                verification_code: &app::backend::ids::short_code(12).to_uppercase(),
                created_at: now,
            },
        )
        .await
        .unwrap();
        seed::term(
            &mut conn,
            &seed::NewTerm {
                id: &app::backend::ids::new_id(),
                policy_id: &policy_id,
                customer_id: &customer_id,
                term_no: 1,
                start_date: &start.to_string(),
                end_date: &end.to_string(),
                premium_fen: previous_fen,
                created_at: now,
            },
        )
        .await
        .unwrap();
        let q = quote(
            Money(previous_fen),
            &RenewalFactors {
                ncd_step_pct: -10,
                rate_change_pct: 4,
                loyalty_pct: -3,
                ..Default::default()
            },
        );
        let offer_id = app::backend::ids::new_id();
        let new_start = end + Days::new(1);
        renewals::insert_offer(
            &mut *conn,
            renewals::NewOffer {
                id: &offer_id,
                policy_id: &policy_id,
                customer_id: &customer_id,
                version: 1,
                term_start: &new_start.to_string(),
                term_end: &(end + Days::new(365)).to_string(),
                previous_premium_fen: previous_fen,
                premium_fen: q.premium.fen(),
                expires_at: now + days as i64 * 86_400 + 86_400,
                now,
            },
        )
        .await
        .unwrap();
        for (i, item) in q.items.iter().enumerate() {
            renewals::insert_item(
                &mut *conn,
                &app::backend::ids::new_id(),
                &offer_id,
                item.kind.as_str(),
                item.amount.fen(),
                &item.detail,
                i as i64,
            )
            .await
            .unwrap();
        }
        DueRenewal {
            policy_id,
            offer_id,
            premium_fen: q.premium.fen(),
            old_end: end.to_string(),
            new_start: new_start.to_string(),
        }
    }

    /// A saved payment method; the token tells the sandbox how to behave.
    pub async fn saved_method(&self, c: &Customer, token: &str) -> String {
        let customer_id = self.customer_id(&c.phone).await;
        let id = app::backend::ids::new_id();
        let mut conn = self.state.db.pool.acquire().await.unwrap();
        insert(
            &mut conn,
            "payment_methods",
            &[
                "id",
                "customer_id",
                "kind",
                "label",
                "gateway_token",
                "is_default",
                "created_at",
            ],
            vec![
                id.clone().into(),
                customer_id.into(),
                "card".into(),
                "招商银行 ****6218".into(),
                token.into(),
                V::I(1),
                self.clock.now().into(),
            ],
        )
        .await
        .unwrap();
        id
    }

    pub async fn count(&self, sql: &str, bind: &str) -> i64 {
        let (n,): (i64,) = sqlx::query_as(sql)
            .bind(bind)
            .fetch_one(&self.state.db.pool)
            .await
            .unwrap();
        n
    }

    /// Waits (up to 10 s) for a payment to leave `created`/`pending`.
    pub async fn settled_state(&self, payment_id: &str) -> String {
        for _ in 0..200 {
            let (state,): (String,) = sqlx::query_as("SELECT state FROM payments WHERE id = $1")
                .bind(payment_id)
                .fetch_one(&self.state.db.pool)
                .await
                .unwrap();
            if state != "created" && state != "pending" {
                return state;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("payment {payment_id} never settled");
    }
}

impl Browser {
    /// Logs in and passes the step-up check with the ID digits.
    pub async fn login_and_step_up(&self, c: &Customer) {
        assert_eq!(redirected(&self.login(&c.phone, PASSWORD).await), "/");
        let res = self
            .post_form(
                "/api/step_up",
                &[("id_last4", &c.id_last4), ("next", "/policies")],
            )
            .await;
        assert_eq!(redirected(&res), "/policies");
    }

    /// One tap on "pay" with a saved method; returns the payment's id.
    pub async fn pay_saved(&self, due: &DueRenewal, key: &str, method_id: &str) -> String {
        let res = self
            .pay(due, "1", key, &format!("saved:{method_id}"), "")
            .await;
        let to = redirected(&res);
        assert!(to.starts_with("/payments/"), "{to}");
        to.trim_start_matches("/payments/").to_owned()
    }

    pub async fn pay(
        &self,
        due: &DueRenewal,
        version: &str,
        key: &str,
        method: &str,
        card_no: &str,
    ) -> Response {
        self.post_form(
            "/api/pay_renewal",
            &[
                ("policy_id", &due.policy_id),
                ("offer_id", &due.offer_id),
                ("version", version),
                ("key", key),
                ("method", method),
                ("card_no", card_no),
            ],
        )
        .await
    }
}

/// Services the test product grants, a provider and its slots (see `TestApp::services`).
pub struct Services {
    pub checkup_kind: String,
    pub provider: String,
    /// Tomorrow (Asia/Shanghai) at 9, 10, 14 and 15 o'clock, then the day after.
    pub slots: Vec<String>,
}

impl TestApp {
    /// Gives the test product `checkups` health check-ups and 6 roadside calls a year, and
    /// a provider with two days of one-hour slots of `capacity` places.
    pub async fn services(&self, checkups: i64, capacity: i64) -> Services {
        use app::backend::store::bookings;
        let product = self.product().await;
        let mut conn = self.state.db.pool.acquire().await.unwrap();
        let checkup_kind = service_kind(&mut conn, &product, "health_checkup", checkups).await;
        service_kind(&mut conn, &product, "roadside_assistance", 6).await;
        let provider = app::backend::ids::new_id();
        insert(
            &mut conn,
            "providers",
            &["id", "service_kind_id", "name", "city", "address"],
            vec![
                provider.clone().into(),
                checkup_kind.clone().into(),
                "安心体检中心（测试）".into(),
                "上海市".into(),
                "上海市徐汇区漕溪北路 100 号".into(),
            ],
        )
        .await
        .unwrap();
        let tomorrow = self.clock.today_shanghai() + chrono::Days::new(1);
        let mut starts = vec![];
        for day in [tomorrow, tomorrow + chrono::Days::new(1)] {
            for h in [9, 10, 14, 15] {
                starts.push(app::backend::clock::shanghai_day_start(day) + h * 3600);
            }
        }
        bookings::add_slots(&mut conn, &provider, &starts, 3600, capacity)
            .await
            .unwrap();
        let mut slots = vec![];
        for s in starts {
            let (id,): (String,) =
                sqlx::query_as("SELECT id FROM slots WHERE provider_id = $1 AND starts_at = $2")
                    .bind(&provider)
                    .bind(s)
                    .fetch_one(&mut *conn)
                    .await
                    .unwrap();
            slots.push(id);
        }
        Services {
            checkup_kind,
            provider,
            slots,
        }
    }

    /// The id of the (first) policy of the customer with this phone.
    pub async fn policy_of(&self, phone: &str) -> String {
        let (id,): (String,) = sqlx::query_as(
            "SELECT p.id FROM policies p JOIN customers c ON c.id = p.customer_id WHERE c.phone = $1 ORDER BY p.created_at, p.id LIMIT 1",
        )
        .bind(phone)
        .fetch_one(&self.state.db.pool)
        .await
        .unwrap();
        id
    }

    pub async fn slot_booked(&self, slot: &str) -> i64 {
        self.count("SELECT booked FROM slots WHERE id = $1", slot)
            .await
    }

    /// Uses spent of the policy's check-ups (all years).
    pub async fn uses(&self, policy: &str) -> i64 {
        self.count(
            "SELECT CAST(COALESCE(SUM(u.used), 0) AS BIGINT) FROM entitlement_usage u JOIN service_kinds k ON k.id = u.service_kind_id \
             WHERE u.policy_id = $1 AND k.code = 'health_checkup'",
            policy,
        )
        .await
    }
}

/// The service kind `code` (made, and granted `per_year` times by `product`, if new).
async fn service_kind(
    conn: &mut sqlx::AnyConnection,
    product: &str,
    code: &str,
    per_year: i64,
) -> String {
    if let Some(id) = seed::id_by_code(conn, "service_kinds", code).await.unwrap() {
        return id;
    }
    let id = app::backend::ids::new_id();
    insert(
        conn,
        "service_kinds",
        &["id", "code", "name_zh", "name_en"],
        vec![
            id.clone().into(),
            code.into(),
            if code == "roadside_assistance" {
                "道路救援"
            } else {
                "健康体检"
            }
            .into(),
            code.into(),
        ],
    )
    .await
    .unwrap();
    insert(
        conn,
        "product_entitlements",
        &["id", "product_id", "service_kind_id", "per_year"],
        vec![
            app::backend::ids::new_id().into(),
            product.into(),
            id.clone().into(),
            V::I(per_year),
        ],
    )
    .await
    .unwrap();
    id
}

impl Browser {
    pub async fn book(&self, policy: &str, kind: &str, slot: &str) -> Response {
        self.post_form(
            "/api/book_service",
            &[("policy_id", policy), ("kind", kind), ("slot", slot)],
        )
        .await
    }
}

impl TestApp {
    /// A survey invitation for the customer with this phone, made as a completion makes
    /// one (subject: a claim with this id). `None` when the rules make none.
    pub async fn survey_invitation(&self, phone: &str, subject_id: &str) -> Option<String> {
        use app::backend::services::surveys::{invite, Completed, CLAIM_SERVICE};
        let customer_id = self.customer_id(phone).await;
        let mut tx = self.state.db.pool.begin().await.unwrap();
        let id = invite(
            &mut tx,
            &self.state,
            Completed {
                customer_id: &customer_id,
                subject: app::model::SurveySubject::Claim,
                subject_id,
                service: CLAIM_SERVICE,
                service_zh: "理赔",
            },
            self.clock.now(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        id
    }
}

/// How many audit rows record `action` on `detail` (a request, a case).
pub async fn audited(app: &TestApp, action: &str, detail: &str) -> i64 {
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE action = $1 AND detail = $2")
            .bind(action)
            .bind(detail)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    n
}

/// Posts a form to server function `f` as a browser without JavaScript; where it was sent.
pub async fn post(b: &Browser, f: &str, form: &[(&str, &str)]) -> String {
    redirected(&b.post_form(&format!("/api/{f}"), form).await)
}
