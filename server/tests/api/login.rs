use crate::helpers::*;
use reqwest::StatusCode;

#[tokio::test]
async fn password_login_lands_on_home_with_a_secure_session_cookie() {
    let app = spawn_app().await;
    let c = app.customer("13900000001", "林晓燕", Some(PASSWORD)).await;
    let b = app.browser();

    let res = b.login(&c.phone, PASSWORD).await;
    assert_eq!(redirected(&res), "/");
    let cookie = session_cookie(&res).expect("a session cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");
    // The public URL is http in tests, so the cookie is not `Secure` (it is on https).
    assert!(!cookie.contains("Secure"), "{cookie}");
    let token = cookie
        .trim_start_matches("anxin_sid=")
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(token.len(), 64, "256 bits, hex");

    let home = b.page("/").await;
    assert!(home.contains("林晓燕"));
    assert!(home.contains("PA****0001"), "policy number shown masked");
    assert!(
        !home.contains(&c.policy_no),
        "never the whole policy number"
    );

    // Only a hash of the token is stored.
    let (stored,): (String,) = sqlx::query_as("SELECT token_hash FROM sessions")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_ne!(stored, token);
}

#[tokio::test]
async fn wrong_password_is_refused_with_a_message_and_no_session() {
    let app = spawn_app().await;
    let c = app.customer("13900000002", "王伟", Some(PASSWORD)).await;
    let b = app.browser();

    let res = b.login(&c.phone, "Not-The-Password-1").await;
    assert_eq!(redirected(&res), "/login?error=bad_credentials");
    assert!(session_cookie(&res).is_none());
    let page = b.page("/login?error=bad_credentials").await;
    assert!(
        page.contains("手机号或密码不正确"),
        "message in Chinese by default"
    );
    assert_eq!(redirected(&b.get("/").await), "/login");
}

#[tokio::test]
async fn after_a_wrong_password_the_phone_number_is_still_filled_in_until_logged_in() {
    let app = spawn_app().await;
    let c = app.customer("13900000012", "赵敏", Some(PASSWORD)).await;
    let b = app.browser();
    let res = b.login(&c.phone, "Not-The-Password-1").await;
    let kept = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("anxin_phone="))
        .expect("the number is kept");
    assert!(
        kept.contains("HttpOnly") && kept.contains("Path=/login") && kept.contains("Max-Age=300"),
        "{kept}"
    );
    let page = b.page(&redirected(&res)).await;
    assert!(
        page.contains(&format!("value=\"{}\"", c.phone)),
        "phone filled in"
    );
    // Once in, it is forgotten.
    assert_eq!(redirected(&b.login(&c.phone, PASSWORD).await), "/");
    b.post_form("/api/logout", &[]).await;
    assert!(!b.page("/login").await.contains(&c.phone));
    // Also when the way in is a texted code.
    b.login(&c.phone, "Not-The-Password-1").await;
    assert!(b.page("/login").await.contains(&c.phone));
    let to = redirected(
        &b.post_form("/api/request_login_code", &[("phone", &c.phone)])
            .await,
    );
    let challenge = to.trim_start_matches("/login/code?c=").to_owned();
    let code = app.last_code(&c.phone).await;
    let res = b
        .post_form(
            "/api/login_with_code",
            &[("c", &challenge), ("code", &code), ("next", "/")],
        )
        .await;
    assert_eq!(redirected(&res), "/");
    b.post_form("/api/logout", &[]).await;
    assert!(!b.page("/login").await.contains(&c.phone));
}

#[tokio::test]
async fn unknown_phone_and_unactivated_account_get_the_same_answer_as_a_wrong_password() {
    let app = spawn_app().await;
    let c = app.customer("13900000003", "赵敏", None).await;
    let b = app.browser();
    assert_eq!(
        redirected(&b.login("13900009999", PASSWORD).await),
        "/login?error=bad_credentials"
    );
    assert_eq!(
        redirected(&b.login(&c.phone, PASSWORD).await),
        "/login?error=bad_credentials"
    );
}

#[tokio::test]
async fn malformed_phone_is_explained_and_changes_nothing() {
    let app = spawn_app().await;
    let b = app.browser();
    let res = b.login("12345", PASSWORD).await;
    assert_eq!(redirected(&res), "/login?error=invalid_phone");
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM login_attempts")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(n, 0);
}

#[tokio::test]
async fn five_failures_lock_the_phone_for_fifteen_minutes() {
    let app = spawn_app().await;
    let c = app.customer("13900000004", "陈静", Some(PASSWORD)).await;
    let b = app.browser();
    for _ in 0..5 {
        assert_eq!(
            redirected(&b.login(&c.phone, "Wrong-Password-123").await),
            "/login?error=bad_credentials"
        );
    }
    // Even the right password is refused while locked, and the page says until when.
    let res = b.login(&c.phone, PASSWORD).await;
    let to = redirected(&res);
    assert!(to.starts_with("/login?error=locked&until="), "{to}");
    assert!(session_cookie(&res).is_none());
    let page = b.page(&to).await;
    assert!(page.contains("失败次数过多"), "explains the lock");

    app.clock.advance(14 * 60);
    assert!(redirected(&b.login(&c.phone, PASSWORD).await).starts_with("/login?error=locked"));
    app.clock.advance(2 * 60);
    assert_eq!(redirected(&b.login(&c.phone, PASSWORD).await), "/");
}

#[tokio::test]
async fn a_success_resets_the_failure_count() {
    let app = spawn_app().await;
    let c = app.customer("13900000005", "刘洋", Some(PASSWORD)).await;
    let b = app.browser();
    for _ in 0..4 {
        b.login(&c.phone, "Wrong-Password-123").await;
    }
    assert_eq!(redirected(&b.login(&c.phone, PASSWORD).await), "/");
    for _ in 0..4 {
        b.login(&c.phone, "Wrong-Password-123").await;
    }
    assert_eq!(redirected(&b.login(&c.phone, PASSWORD).await), "/");
}

#[tokio::test]
async fn one_address_failing_across_many_phones_is_throttled() {
    let app = spawn_app().await;
    let c = app.customer("13900000006", "周杰", Some(PASSWORD)).await;
    let b = app.browser();
    for i in 0..20 {
        let phone = format!("137{:08}", i);
        assert_eq!(
            redirected(&b.login(&phone, "Wrong-Password-123").await),
            "/login?error=bad_credentials"
        );
    }
    let to = redirected(&b.login(&c.phone, PASSWORD).await);
    assert!(to.starts_with("/login?error=throttled"), "{to}");
    app.clock.advance(16 * 60);
    assert_eq!(redirected(&b.login(&c.phone, PASSWORD).await), "/");
}

#[tokio::test]
async fn each_login_gets_a_new_token() {
    let app = spawn_app().await;
    let c = app.customer("13900000007", "孙丽", Some(PASSWORD)).await;
    let b = app.browser();
    let first = session_cookie(&b.login(&c.phone, PASSWORD).await).unwrap();
    let second = session_cookie(&b.login(&c.phone, PASSWORD).await).unwrap();
    assert_ne!(first, second);
}

#[tokio::test]
async fn login_returns_to_a_local_next_page_only() {
    let app = spawn_app().await;
    let c = app.customer("13900000008", "何平", Some(PASSWORD)).await;
    let b = app.browser();
    let res = b
        .post_form(
            "/api/login",
            &[
                ("phone", &c.phone),
                ("password", PASSWORD),
                ("next", "//evil.example/x"),
            ],
        )
        .await;
    assert_eq!(redirected(&res), "/");
    let res = b
        .post_form(
            "/api/login",
            &[
                ("phone", &c.phone),
                ("password", PASSWORD),
                ("next", "/staff"),
            ],
        )
        .await;
    assert_eq!(redirected(&res), "/staff");
    assert_eq!(b.get("/nothing-here").await.status(), StatusCode::NOT_FOUND);
    // Browsers drop a tab from a URL: "/\t/evil.example" would be "//evil.example".
    for sneaky in ["/\t/evil.example", "/\n/evil.example", "/\\evil.example"] {
        let res = b
            .post_form(
                "/api/login",
                &[
                    ("phone", &c.phone),
                    ("password", PASSWORD),
                    ("next", sneaky),
                ],
            )
            .await;
        assert_eq!(redirected(&res), "/", "{sneaky:?}");
    }
}

#[tokio::test]
async fn a_wrong_password_does_not_lose_where_the_person_was_going() {
    let app = spawn_app().await;
    let c = app.customer("13900000013", "孔明", Some(PASSWORD)).await;
    let b = app.browser();
    // Sent to log in from a page that needs a session: the page says why.
    assert_eq!(
        redirected(&b.get("/policies").await),
        "/login?next=/policies"
    );
    let page = b.page("/login?next=/policies").await;
    assert!(page.contains("data-testid=\"login-to-continue\""));
    assert!(!b.page("/login").await.contains("login-to-continue"));

    let wrong = |next: &'static str| {
        let b = &b;
        let phone = c.phone.clone();
        async move {
            b.post_form(
                "/api/login",
                &[
                    ("phone", &phone),
                    ("password", "Not-The-Password-1"),
                    ("next", next),
                ],
            )
            .await
        }
    };
    let back = redirected(&wrong("/policies?tab=due&x=1").await);
    assert_eq!(
        back,
        "/login?next=%2Fpolicies%3Ftab%3Ddue%26x%3D1&error=bad_credentials"
    );
    let page = b.page(&back).await;
    assert!(
        page.contains("value=\"/policies?tab=due&amp;x=1\""),
        "next kept in the form"
    );
    assert!(!page.contains("login-to-continue"), "the error says enough");
    // Not for another site.
    assert_eq!(
        redirected(&wrong("//evil.example/x").await),
        "/login?error=bad_credentials"
    );
    let res = b
        .post_form(
            "/api/login",
            &[
                ("phone", &c.phone),
                ("password", PASSWORD),
                ("next", "/policies?tab=due&x=1"),
            ],
        )
        .await;
    assert_eq!(redirected(&res), "/policies?tab=due&x=1");
}
