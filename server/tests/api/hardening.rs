//! The HTTP layer's defences (security issue #16): requests another site makes a
//! browser send, the headers on every answer, bodies too large or incomplete.

use crate::helpers::*;
use reqwest::header::{HeaderValue, ACCEPT, CACHE_CONTROL, COOKIE, ORIGIN, REFERER};
use reqwest::StatusCode;

/// Every `#[server]` function in app/src/api/, with fields a real form would send.
const SERVER_FUNCTIONS: &[(&str, &[(&str, &str)])] = &[
    (
        "login",
        &[
            ("phone", "13900001001"),
            ("password", PASSWORD),
            ("next", "/"),
        ],
    ),
    ("request_login_code", &[("phone", "13900001001")]),
    ("resend_login_code", &[("c", "abc")]),
    (
        "login_with_code",
        &[("c", "abc"), ("code", "123456"), ("next", "/")],
    ),
    (
        "start_activation",
        &[("policy_no", "PA20261001"), ("id_last4", "123X")],
    ),
    ("resend_activation_code", &[("c", "abc")]),
    (
        "complete_activation",
        &[
            ("c", "abc"),
            ("code", "123456"),
            ("password", PASSWORD),
            ("confirm", PASSWORD),
        ],
    ),
    (
        "staff_login",
        &[("username", "agent.wang"), ("password", PASSWORD)],
    ),
    ("logout", &[]),
    ("logout_everywhere", &[]),
    ("check_link", &[("code", "abc"), ("id_last4", "123X")]),
    ("send_link_code", &[("code", "abc")]),
    (
        "check_link_code",
        &[("code", "abc"), ("sc", "abc"), ("sms", "123456")],
    ),
    ("set_locale", &[("lang", "en"), ("next", "/")]),
    ("set_auto_debit", &[("policy_id", "x"), ("enable", "on")]),
    ("step_up", &[("id_last4", "123X"), ("next", "/policies")]),
    ("step_up_send_code", &[("next", "/policies")]),
    (
        "step_up_with_code",
        &[("sc", "abc"), ("sms", "123456"), ("next", "/policies")],
    ),
    (
        "pay_renewal",
        &[
            ("policy_id", "x"),
            ("offer_id", "x"),
            ("version", "1"),
            ("key", "k"),
            ("method", "wechat"),
            ("card_no", ""),
        ],
    ),
    (
        "save_notification_preferences",
        &[("marketing", "on"), ("time_window", "evening")],
    ),
    (
        "request_beneficiary_change",
        &[
            ("policy_id", "x"),
            ("name_1", "李娜"),
            ("relation_1", "spouse"),
            ("id_number_1", "110105198203041213"),
            ("share_1", "100"),
        ],
    ),
    (
        "change_contact",
        &[("address", "上海市徐汇区漕溪北路 88 号"), ("email", "")],
    ),
    ("start_phone_change", &[("phone", "13900009999")]),
    (
        "confirm_phone_change",
        &[
            ("a", "abc"),
            ("b", "def"),
            ("code_old", "123456"),
            ("code_new", "654321"),
        ],
    ),
    (
        "change_debit_method",
        &[
            ("method", "new"),
            ("bank", "cmb"),
            ("card_no", "6222020000000007"),
        ],
    ),
    (
        "change_payout_account",
        &[
            ("payout", "bank"),
            ("bank", "cmb"),
            ("account_no", "6225880137706866"),
        ],
    ),
    ("request_loan", &[("policy_id", "x"), ("amount", "10000")]),
    ("withdraw_case", &[("case_id", "x")]),
    (
        "reopen_case",
        &[("case_id", "x"), ("text", "别人网站上的重开")],
    ),
    ("take_case", &[("case_id", "x")]),
    ("move_case", &[("case_id", "x"), ("to", "acknowledged")]),
    (
        "answer_case",
        &[("case_id", "x"), ("text", "别人网站上的答复")],
    ),
    (
        "resolve_case",
        &[
            ("case_id", "x"),
            ("text", "别人网站上的最终答复"),
            ("root_cause", "process"),
        ],
    ),
    (
        "extend_case",
        &[("case_id", "x"), ("reason", "别人网站上的原因")],
    ),
    ("hand_over_case", &[("case_id", "x"), ("to_staff", "x")]),
    ("accept_case", &[("case_id", "x")]),
    ("link_case_document", &[("case_id", "x"), ("file_id", "y")]),
];

/// The form fields that would change this customer's notification settings.
const NEW_PREFERENCES: &[(&str, &str)] = &[("marketing", "on"), ("time_window", "evening")];

impl Browser {
    /// A form post as a browser sends it, with extra headers (`Origin`, `Referer` …).
    async fn post_form_with(
        &self,
        path: &str,
        form: &[(&str, &str)],
        headers: &[(&'static str, &str)],
    ) -> reqwest::Response {
        let mut req = self
            .client
            .post(format!("{}{path}", self.base))
            .header(ACCEPT, "text/html,application/xhtml+xml")
            .form(form);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        req.send().await.unwrap()
    }
}

async fn preferences(app: &TestApp, phone: &str) -> (i64, String) {
    let id = app.customer_id(phone).await;
    let p = app::backend::store::preferences::get(&app.state.db.pool, &id)
        .await
        .unwrap();
    (p.marketing, p.time_window)
}

async fn login_attempts(app: &TestApp) -> i64 {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM login_attempts")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    n
}

fn nonces_in(html: &str) -> Vec<&str> {
    html.match_indices("nonce=\"")
        .map(|(i, m)| {
            let rest = &html[i + m.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect()
}

fn csp_nonce(res: &reqwest::Response) -> String {
    let csp = res
        .headers()
        .get("content-security-policy")
        .expect("a Content-Security-Policy")
        .to_str()
        .unwrap();
    let start = csp.find("'nonce-").expect("a nonce in the policy") + "'nonce-".len();
    csp[start..start + csp[start..].find('\'').unwrap()].to_owned()
}

#[tokio::test]
async fn every_server_function_refuses_a_post_from_another_site() {
    let app = spawn_app().await;
    let c = app.customer("13900001001", "跨站", Some(PASSWORD)).await;
    let b = app.browser();
    b.login(&c.phone, PASSWORD).await;
    let sms_before = app.sms_count(&c.phone).await;

    for (name, form) in SERVER_FUNCTIONS {
        for origin in ["http://evil.example", "null"] {
            let res = b
                .post_form_with(&format!("/api/{name}"), form, &[("origin", origin)])
                .await;
            assert_eq!(res.status(), StatusCode::FORBIDDEN, "{name} from {origin}");
            let page = res.text().await.unwrap();
            assert!(page.contains("<html lang=\"zh-CN\""), "{name}");
            assert!(page.contains("请求已被拒绝"), "{name}: {page}");
        }
    }

    // Nothing happened: still signed in, settings and language as they were, no SMS.
    let home = b.page("/").await;
    assert!(home.contains("跨站") && home.contains("<html lang=\"zh-CN\""));
    assert_eq!(preferences(&app, &c.phone).await, (0, "any".to_owned()));
    assert_eq!(app.sms_count(&c.phone).await, sms_before);
}

#[tokio::test]
async fn fetch_metadata_from_another_site_or_subdomain_is_refused() {
    let app = spawn_app().await;
    let c = app.customer("13900001002", "子域", Some(PASSWORD)).await;
    let b = app.browser();
    b.login(&c.phone, PASSWORD).await;
    for site in ["cross-site", "same-site"] {
        let path = "/api/save_notification_preferences";
        let res = b
            .post_form_with(path, NEW_PREFERENCES, &[("sec-fetch-site", site)])
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{site}");
        let res = b
            .post_form_with("/api/logout_everywhere", &[], &[("sec-fetch-site", site)])
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{site}");
    }
    assert_eq!(preferences(&app, &c.phone).await, (0, "any".to_owned()));
    b.page("/policies").await;
}

#[tokio::test]
async fn our_own_pages_post_as_before() {
    let app = spawn_app().await;
    let c = app.customer("13900001003", "本站", Some(PASSWORD)).await;
    let b = app.browser();
    let ours = [
        ("origin", app.base.as_str()),
        ("sec-fetch-site", "same-origin"),
    ];
    let res = b
        .post_form_with(
            "/api/login",
            &[("phone", &c.phone), ("password", PASSWORD), ("next", "/")],
            &ours,
        )
        .await;
    assert_eq!(redirected(&res), "/");

    let res = b
        .post_form_with("/api/save_notification_preferences", NEW_PREFERENCES, &ours)
        .await;
    assert_eq!(redirected(&res), "/settings/notifications?saved=1");
    assert_eq!(preferences(&app, &c.phone).await, (1, "evening".to_owned()));

    // Typed into the address bar or opened from a bookmark.
    let res = b
        .post_form_with(
            "/api/set_locale",
            &[("lang", "en"), ("next", "/")],
            &[("sec-fetch-site", "none")],
        )
        .await;
    assert_eq!(redirected(&res), "/");

    let res = b.post_form_with("/api/logout_everywhere", &[], &ours).await;
    assert_eq!(redirected(&res), "/login");
    assert_eq!(redirected(&b.get("/").await), "/login");
}

#[tokio::test]
async fn the_refusal_speaks_english_when_chosen_and_webhooks_are_not_browsers() {
    let app = spawn_app().await;
    let b = app.browser();
    let res = b
        .post_form_with(
            "/api/logout",
            &[],
            &[
                ("origin", "http://evil.example"),
                ("cookie", "anxin_lang=en"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let page = res.text().await.unwrap();
    assert!(page.contains("<html lang=\"en\""), "{page}");
    assert!(page.contains("Request refused"), "{page}");

    // A provider's callback is checked by its signature, wherever it says it comes from.
    let res = b
        .client
        .post(format!("{}/webhooks/sms", app.base))
        .header(ORIGIN, "http://evil.example")
        .header("sec-fetch-site", "cross-site")
        .header("x-anxin-signature", "00")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::BAD_REQUEST,
        "bad signature, not 403"
    );
}

#[tokio::test]
async fn every_page_has_a_csp_whose_nonce_the_hydration_scripts_carry() {
    let app = spawn_app().await;
    let b = app.browser();
    let first = b.get("/login").await;
    let second = b.get("/login").await;
    let (n1, n2) = (csp_nonce(&first), csp_nonce(&second));
    assert_ne!(n1, n2, "a new nonce for every response");
    assert!(n1.len() >= 22, "128 bits: {n1}");

    let csp = first.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    for part in [
        "default-src 'self'",
        "'wasm-unsafe-eval'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "object-src 'none'",
    ] {
        assert!(csp.contains(part), "{part} in {csp}");
    }
    assert!(!csp.contains("unsafe-inline"), "{csp}");

    let page = first.text().await.unwrap();
    assert!(
        page.contains(&format!("<script type=\"module\" nonce=\"{n1}\"")),
        "the islands' script carries the nonce"
    );
    let nonces = nonces_in(&page);
    assert!(!nonces.is_empty());
    assert!(nonces.iter().all(|n| *n == n1), "{nonces:?} vs {n1}");
    // No inline style or script handler would survive the policy.
    assert!(!page.contains(" style=\""), "inline style");
    assert!(!page.contains(" onclick="), "inline handler");
}

#[tokio::test]
async fn signed_in_pages_and_answers_are_not_stored_and_http_has_no_hsts() {
    let app = spawn_app().await;
    let c = app.customer("13900001004", "缓存", Some(PASSWORD)).await;
    let b = app.browser();
    let res = b.login(&c.phone, PASSWORD).await;
    assert_eq!(res.headers()[CACHE_CONTROL], "no-store", "the login answer");
    let res = b.get("/policies").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[CACHE_CONTROL], "no-store");
    assert!(res.headers().get("strict-transport-security").is_none());
    let res = b.get("/settings/notifications").await;
    assert_eq!(res.headers()[CACHE_CONTROL], "no-store");
}

/// An app whose public URL is https (behind a TLS proxy), served on a local port.
async fn spawn_https_app() -> TestApp {
    spawn_app_with(&fresh_database().await, |c| {
        c.public_url = "https://anxin.example".into();
    })
    .await
}

#[tokio::test]
async fn https_adds_hsts_and_the_public_origin_is_ours() {
    let app = spawn_https_app().await;
    let b = app.browser();
    let res = b.get("/login").await;
    assert_eq!(
        res.headers()["strict-transport-security"],
        "max-age=31536000"
    );

    let post = |origin: &'static str| {
        let b = &b;
        async move {
            b.post_form_with(
                "/api/set_locale",
                &[("lang", "en"), ("next", "/")],
                &[("origin", origin)],
            )
            .await
            .status()
        }
    };
    assert_eq!(post("https://anxin.example").await, StatusCode::FOUND);
    assert_eq!(post("http://anxin.example").await, StatusCode::FORBIDDEN);
    assert_eq!(
        post("https://shop.anxin.example").await,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_huge_form_gets_a_413_page_in_chinese_and_changes_nothing() {
    let app = spawn_app().await;
    let c = app.customer("13900001005", "大包", Some(PASSWORD)).await;
    let b = app.browser();
    let huge = "x".repeat(3 * 1024 * 1024);
    let res = b
        .post_form(
            "/api/login",
            &[("phone", &c.phone), ("password", &huge), ("next", "/")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(session_cookie(&res).is_none());
    let page = res.text().await.unwrap();
    assert!(page.contains("<html lang=\"zh-CN\""), "{page}");
    assert!(page.contains("提交的内容太大"), "{page}");
    assert_eq!(login_attempts(&app).await, 0);

    let res = b
        .client
        .post(format!("{}/webhooks/payments", app.base))
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);

    // A form of ordinary size still works.
    assert_eq!(redirected(&b.login(&c.phone, PASSWORD).await), "/");
}

#[tokio::test]
async fn a_form_missing_a_field_comes_back_with_a_message() {
    let app = spawn_app().await;
    let c = app.customer("13900001006", "缺项", Some(PASSWORD)).await;
    let b = app.browser();
    let from = format!("{}/login?next=%2Fpolicies&error=locked", app.base);
    let res = b
        .post_form_with("/api/login", &[("phone", &c.phone)], &[("referer", &from)])
        .await;
    let back = redirected(&res);
    assert_eq!(back, "/login?next=%2Fpolicies&error=missing_field");
    assert!(session_cookie(&res).is_none());
    let page = b.page(&back).await;
    assert!(page.contains("表单没有填写完整"), "the message is shown");
    assert!(!page.contains("missing field"), "no Rust error");
    assert_eq!(login_attempts(&app).await, 0);

    // Signed in, on the settings page: the settings stay as they were.
    b.login(&c.phone, PASSWORD).await;
    let from = format!("{}/settings/notifications", app.base);
    let res = b
        .post_form_with(
            "/api/save_notification_preferences",
            &[("marketing", "on")],
            &[("referer", &from)],
        )
        .await;
    let back = redirected(&res);
    assert_eq!(back, "/settings/notifications?error=missing_field");
    assert!(b.page(&back).await.contains("表单没有填写完整"));
    assert_eq!(preferences(&app, &c.phone).await, (0, "any".to_owned()));
}

#[tokio::test]
async fn a_broken_form_without_a_page_to_go_back_to_gets_a_page_not_a_rust_error() {
    let app = spawn_app().await;
    let b = app.browser();
    for referer in [None, Some("http://evil.example/login")] {
        let headers: Vec<(&'static str, &str)> =
            referer.map(|r| ("referer", r)).into_iter().collect();
        let res = b
            .post_form_with("/api/login", &[("phone", "13900001007")], &headers)
            .await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{referer:?}");
        let page = res.text().await.unwrap();
        assert!(page.contains("表单没有填写完整"), "{page}");
        assert!(!page.contains("missing field"), "{page}");
    }

    // Not UTF-8 at all.
    let res = b
        .client
        .post(format!("{}/api/login", app.base))
        .header(ACCEPT, "text/html")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(vec![0xff, 0xfe, b'=', 0x80])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);

    // A program calling the function gets the code, not the decoder's words.
    let res = b
        .client
        .post(format!("{}/api/login", app.base))
        .form(&[("phone", "13900001007")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body = res.text().await.unwrap();
    assert!(
        body.contains("missing_field") && !body.contains("missing field"),
        "{body}"
    );

    // A function that does not exist: our 404, not the framework's explanation.
    let res = b.post_form("/api/no_such_function", &[]).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("页面不存在") && !page.contains("server function"),
        "{page}"
    );
}

#[tokio::test]
async fn odd_headers_never_break_a_handler() {
    let app = spawn_app().await;
    let b = app.browser();
    let odd = [
        HeaderValue::from_bytes(b"http://\xff\xfe").unwrap(),
        HeaderValue::from_static(""),
        HeaderValue::from_static("http://"),
        HeaderValue::from_static("http://a@127.0.0.1"),
        HeaderValue::from_static("//"),
        HeaderValue::from_static("?"),
    ];
    for value in odd {
        for header in [ORIGIN, REFERER, COOKIE] {
            let res = b
                .client
                .post(format!("{}/api/login", app.base))
                .header(ACCEPT, "text/html")
                .header(header.clone(), value.clone())
                .header("x-forwarded-for", value.clone())
                .header("sec-fetch-site", value.clone())
                .form(&[("phone", "13900001008")])
                .send()
                .await
                .unwrap();
            assert!(
                !res.status().is_server_error(),
                "{header}: {value:?} → {}",
                res.status()
            );
        }
    }
}
