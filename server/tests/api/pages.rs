use crate::helpers::*;
use reqwest::StatusCode;

#[tokio::test]
async fn pages_speak_chinese_by_default_and_english_when_chosen() {
    let app = spawn_app().await;
    let b = app.browser();
    let page = b.page("/login").await;
    assert!(page.contains("<html lang=\"zh-CN\""));
    assert!(page.contains("登录"));

    let res = b
        .post_form("/api/set_locale", &[("lang", "en"), ("next", "/login?x=1")])
        .await;
    assert_eq!(redirected(&res), "/login?x=1");
    let cookie = res
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        cookie.starts_with("anxin_lang=en") && cookie.contains("Max-Age="),
        "{cookie}"
    );
    let page = b.page("/login").await;
    assert!(page.contains("<html lang=\"en\""));
    assert!(page.contains("Mobile number"));
    let res = b
        .post_form(
            "/api/set_locale",
            &[("lang", "zh-CN"), ("next", "https://evil.example/")],
        )
        .await;
    assert_eq!(redirected(&res), "/");
}

#[tokio::test]
async fn unknown_pages_get_a_styled_404_in_the_users_language() {
    let app = spawn_app().await;
    let b = app.browser();
    let res = b.get("/no/such/page").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let body = res.text().await.unwrap();
    assert!(body.contains("页面不存在"));
    assert!(body.contains("/pkg/anxin.css"));
}

/// The wasm is loaded exactly where an island is rendered: a page that gains an island
/// without loading the wasm would leave it dead; one that loads it for nothing costs
/// phone users ~80 KB. (The list of such pages lives in `pages/mod.rs`.)
#[tokio::test]
async fn the_wasm_is_loaded_exactly_on_pages_with_islands() {
    let app = spawn_app().await;
    let c = app.customer("13900000061", "岛屿", Some(PASSWORD)).await;
    let due = app.renewal_due(&c, 10, 250_000).await;
    app.staff("island.super", app::model::StaffRole::Supervisor)
        .await;
    let check = |path: String, html: String| {
        let island = html.contains("<leptos-island");
        let wasm = html.contains("/pkg/anxin.js");
        assert_eq!(island, wasm, "{path}: island {island}, wasm {wasm}");
        island
    };
    let anonymous = app.browser();
    let mut with_islands = Vec::new();
    for path in [
        "/login",
        "/login/code",
        "/activate",
        "/verify",
        "/staff/login",
    ] {
        if check(path.into(), anonymous.page(path).await) {
            with_islands.push(path);
        }
    }
    assert_eq!(with_islands, ["/login", "/staff/login"]);
    let customer = app.browser();
    customer.login_and_step_up(&c).await;
    for path in [
        "/".to_owned(),
        "/policies".into(),
        format!("/policies/{}", due.policy_id),
        format!("/policies/{}/document", due.policy_id),
        format!("/policies/{}/renew", due.policy_id),
        "/settings/notifications".into(),
    ] {
        let html = customer.page(&path).await;
        assert!(!check(path, html));
    }
    let staff = app.browser();
    let res = staff.staff_login("island.super", PASSWORD).await;
    assert_eq!(redirected(&res), "/staff");
    for path in ["/staff", "/staff/outbox"] {
        assert!(!check(path.into(), staff.page(path).await));
    }
}

#[tokio::test]
async fn unknown_error_codes_show_nothing_raw() {
    let app = spawn_app().await;
    let b = app.browser();
    let page = b.page("/login?error=%3Cscript%3E").await;
    assert!(!page.contains("<script>alert"));
    assert!(!page.contains("error.&lt;"));
    assert!(
        !page.contains("form-error\" data"),
        "no alert for an unknown code"
    );
    let page = b.page("/login?error=locked&until=notanumber").await;
    assert!(page.contains("失败次数过多"));
}

#[tokio::test]
async fn health_reports_the_database() {
    let app = spawn_app().await;
    let res = app.browser().get("/health").await;
    assert_eq!(res.status(), StatusCode::OK);
}

/// The opening tag of the element with this id.
fn tag<'a>(html: &'a str, id: &str) -> &'a str {
    let at = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id}"));
    let start = html[..at].rfind('<').unwrap();
    let end = at + html[at..].find('>').unwrap();
    &html[start..=end]
}

#[tokio::test]
async fn form_errors_mark_focus_and_describe_the_fields_they_are_about() {
    let app = spawn_app().await;
    let b = app.browser();

    let page = b.page("/login?error=invalid_phone").await;
    let phone = tag(&page, "phone");
    assert!(phone.contains("aria-invalid=\"true\""), "{phone}");
    assert!(
        phone.contains("aria-describedby=\"phone-hint form-error\""),
        "{phone}"
    );
    assert!(phone.contains("autofocus"), "{phone}");
    let password = tag(&page, "password");
    assert!(
        !password.contains("aria-invalid") && !password.contains("autofocus"),
        "{password}"
    );
    assert!(!tag(&page, "form-error").contains("autofocus"));

    let page = b.page("/login?error=bad_credentials").await;
    let password = tag(&page, "password");
    assert!(
        password.contains("aria-invalid=\"true\"") && password.contains("autofocus"),
        "{password}"
    );
    assert!(
        password.contains("aria-describedby=\"form-error\""),
        "{password}"
    );
    assert!(!tag(&page, "phone").contains("aria-invalid"));

    // Two fields that did not match: both invalid, the first one focused.
    let page = b.page("/activate?error=no_match").await;
    let policy_no = tag(&page, "policy_no");
    let id_last4 = tag(&page, "id_last4");
    assert!(policy_no.contains("aria-invalid=\"true\"") && policy_no.contains("autofocus"));
    assert!(id_last4.contains("aria-invalid=\"true\"") && !id_last4.contains("autofocus"));

    // About no field in particular: the message itself takes the focus.
    let page = b.page("/login?error=throttled&until=1").await;
    let notice = tag(&page, "form-error");
    assert!(
        notice.contains("role=\"alert\"")
            && notice.contains("tabindex=\"-1\"")
            && notice.contains("autofocus"),
        "{notice}"
    );
    for id in ["phone", "password"] {
        assert!(!tag(&page, id).contains("aria-invalid"));
    }

    // No error, nothing marked.
    let page = b.page("/login").await;
    for id in ["phone", "password"] {
        let field = tag(&page, id);
        assert!(
            !field.contains("aria-invalid") && !field.contains("autofocus"),
            "{field}"
        );
    }
    assert!(!page.contains("id=\"form-error\""));
}
