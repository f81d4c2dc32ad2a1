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

#[tokio::test]
async fn only_pages_with_islands_load_the_wasm() {
    let app = spawn_app().await;
    let b = app.browser();
    let login = b.page("/login").await;
    assert!(
        login.contains("<leptos-island"),
        "the password field is an island"
    );
    assert!(login.contains("/pkg/anxin.js"));
    let code = b.page("/login/code").await;
    assert!(!code.contains("/pkg/anxin.js"), "no island, no wasm");
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
