use crate::helpers::*;

async fn request_code(app: &TestApp, b: &Browser, phone: &str) -> String {
    let to = redirected(
        &b.post_form("/api/request_login_code", &[("phone", phone)])
            .await,
    );
    assert!(to.starts_with("/login/code?c="), "{to}");
    let _ = app;
    to.trim_start_matches("/login/code?c=").to_owned()
}

#[tokio::test]
async fn sms_code_login_works_once() {
    let app = spawn_app().await;
    let c = app.customer("13900000011", "黄磊", Some(PASSWORD)).await;
    let b = app.browser();
    let challenge = request_code(&app, &b, &c.phone).await;
    let page = b.page(&format!("/login/code?c={challenge}")).await;
    assert!(page.contains("139****0011"), "names the masked phone");

    let sms = app.last_sms(&c.phone).await.expect("an SMS in the outbox");
    assert!(sms.contains("验证码") && sms.contains("******"), "{sms}");
    let code = app.last_code(&c.phone).await;
    assert!(
        !sms.contains(&code),
        "the outbox never holds the code in clear"
    );
    // Stored hashed, never in clear.
    let (stored,): (String,) = sqlx::query_as("SELECT code_hash FROM sms_codes")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert!(!stored.contains(&code));

    let res = b
        .post_form(
            "/api/login_with_code",
            &[("c", &challenge), ("code", &code), ("next", "/")],
        )
        .await;
    assert_eq!(redirected(&res), "/");
    assert!(b.page("/").await.contains("黄磊"));

    // The same code cannot be used again.
    let other = app.browser();
    let res = other
        .post_form(
            "/api/login_with_code",
            &[("c", &challenge), ("code", &code), ("next", "/")],
        )
        .await;
    assert!(redirected(&res).contains("error=bad_code"));
}

#[tokio::test]
async fn a_code_allows_five_attempts_then_dies() {
    let app = spawn_app().await;
    let c = app.customer("13900000012", "马超", Some(PASSWORD)).await;
    let b = app.browser();
    let challenge = request_code(&app, &b, &c.phone).await;
    let code = app.last_code(&c.phone).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        let res = b
            .post_form(
                "/api/login_with_code",
                &[("c", &challenge), ("code", wrong), ("next", "/")],
            )
            .await;
        assert!(redirected(&res).contains("error="));
    }
    let res = b
        .post_form(
            "/api/login_with_code",
            &[("c", &challenge), ("code", &code), ("next", "/")],
        )
        .await;
    let to = redirected(&res);
    assert!(
        to.contains("error=bad_code") || to.contains("error=locked"),
        "{to}"
    );
    assert!(session_cookie(&res).is_none());
}

#[tokio::test]
async fn a_code_expires_after_five_minutes() {
    let app = spawn_app().await;
    let c = app.customer("13900000013", "朱丽", Some(PASSWORD)).await;
    let b = app.browser();
    let challenge = request_code(&app, &b, &c.phone).await;
    let code = app.last_code(&c.phone).await;
    app.clock.advance(5 * 60 + 1);
    let res = b
        .post_form(
            "/api/login_with_code",
            &[("c", &challenge), ("code", &code), ("next", "/")],
        )
        .await;
    assert!(redirected(&res).contains("error=bad_code"));
    // The page says the code is no longer valid and offers a new one.
    let page = b.page(&format!("/login/code?c={challenge}")).await;
    assert!(page.contains("已失效"));
}

#[tokio::test]
async fn codes_can_be_resent_once_a_minute() {
    let app = spawn_app().await;
    let c = app.customer("13900000014", "郭涛", Some(PASSWORD)).await;
    let b = app.browser();
    let challenge = request_code(&app, &b, &c.phone).await;
    let res = b
        .post_form("/api/resend_login_code", &[("c", &challenge)])
        .await;
    assert!(redirected(&res).contains("error=too_soon"));
    assert_eq!(app.sms_count(&c.phone).await, 1);
    app.clock.advance(61);
    let res = b
        .post_form("/api/resend_login_code", &[("c", &challenge)])
        .await;
    let to = redirected(&res);
    assert!(
        to.starts_with("/login/code?c=") && !to.contains(&challenge),
        "{to}"
    );
    assert_eq!(app.sms_count(&c.phone).await, 2);
}

#[tokio::test]
async fn unknown_phones_get_a_challenge_but_no_text() {
    let app = spawn_app().await;
    let b = app.browser();
    let challenge = request_code(&app, &b, "13911112222").await;
    assert_eq!(app.sms_count("13911112222").await, 0);
    let page = b.page(&format!("/login/code?c={challenge}")).await;
    assert!(
        page.contains("139****2222"),
        "looks the same as for a customer"
    );
}
