use anxin::router;
use app::backend::auth::activation::id_last4_hash;
use app::backend::auth::passwords;
use app::backend::store::seed::{insert, V};
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
}

/// A fresh database URL for one test.
pub async fn fresh_database() -> String {
    let tag = app::backend::ids::short_code(12).to_lowercase();
    if std::env::var("ANXIN_TEST_ENGINE").as_deref() == Ok("postgres") {
        let base = std::env::var("ANXIN_TEST_PG")
            .expect("ANXIN_TEST_ENGINE=postgres needs ANXIN_TEST_PG, e.g. postgres://postgres@127.0.0.1:5432/test");
        sqlx::any::install_default_drivers();
        let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&base)
            .await
            .unwrap_or_else(|e| panic!("PostgreSQL at ANXIN_TEST_PG is unreachable: {e}"));
        let schema = format!("t_{tag}");
        sqlx::query(&format!("CREATE SCHEMA {schema}"))
            .execute(&mut conn)
            .await
            .expect("create schema");
        let sep = if base.contains('?') { '&' } else { '?' };
        format!("{base}{sep}options=-c%20search_path%3D{schema}")
    } else {
        let dir = std::env::temp_dir().join(format!("anxin-test-{tag}"));
        std::fs::create_dir_all(&dir).unwrap();
        format!("sqlite://{}/anxin.db", dir.display())
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_on(&fresh_database().await).await
}

pub async fn spawn_app_on(database_url: &str) -> TestApp {
    let clock = Clock::system();
    let config = Config::for_tests(database_url);
    let state = anxin::prepare(config, clock.clone())
        .await
        .expect("prepare app");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
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
        insert(
            &mut conn,
            "policies",
            &[
                "id",
                "customer_id",
                "product_id",
                "policy_no",
                "status",
                "insured_object",
                "verification_code",
                "created_at",
            ],
            vec![
                policy_id.clone().into(),
                id.clone().into(),
                product.into(),
                policy_no.clone().into(),
                "active".into(),
                "沪A·D1234".into(),
                app::backend::ids::short_code(12).into(),
                now.into(),
            ],
        )
        .await
        .unwrap();
        insert(
            &mut conn,
            "policy_terms",
            &[
                "id",
                "policy_id",
                "customer_id",
                "term_no",
                "start_date",
                "end_date",
                "premium_fen",
                "created_at",
            ],
            vec![
                app::backend::ids::new_id().into(),
                policy_id.into(),
                id.clone().into(),
                V::I(1),
                "2026-01-01".into(),
                "2026-12-31".into(),
                V::I(345_600),
                now.into(),
            ],
        )
        .await
        .unwrap();
        Customer {
            phone: phone.into(),
            policy_no,
            id_last4: "123X".into(),
        }
    }

    async fn product(&self) -> String {
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

    pub async fn sms_count(&self, phone: &str) -> i64 {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sms_outbox WHERE phone = $1")
            .bind(phone)
            .fetch_one(&self.state.db.pool)
            .await
            .unwrap();
        n
    }
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

/// Asserts a 302 and returns where it points.
pub fn redirected(res: &Response) -> String {
    assert_eq!(
        res.status(),
        StatusCode::FOUND,
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
