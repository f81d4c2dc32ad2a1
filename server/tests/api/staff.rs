use crate::helpers::*;
use app::model::StaffRole;

#[tokio::test]
async fn staff_log_in_at_staff_login_and_see_the_console() {
    let app = spawn_app().await;
    app.staff("agent.test", StaffRole::Agent).await;
    let b = app.browser();
    let res = b.staff_login("agent.test", "nope-nope-nope").await;
    assert_eq!(redirected(&res), "/staff/login?error=staff_bad_credentials");
    let res = b.staff_login("Agent.Test", PASSWORD).await;
    assert_eq!(redirected(&res), "/staff");
    let page = b.page("/staff").await;
    assert!(page.contains("测试员工") && page.contains("客服坐席"));
    assert_eq!(
        redirected(&b.post_form("/api/logout", &[]).await),
        "/staff/login"
    );
    assert_eq!(redirected(&b.get("/staff").await), "/staff/login");
}

#[tokio::test]
async fn a_customer_session_never_opens_a_staff_page_and_vice_versa() {
    let app = spawn_app().await;
    app.staff("super.test", StaffRole::Supervisor).await;
    let c = app.customer("13900000041", "何静", Some(PASSWORD)).await;

    let customer = app.browser();
    customer.login(&c.phone, PASSWORD).await;
    assert_eq!(redirected(&customer.get("/staff").await), "/staff/login");

    let staff = app.browser();
    staff.staff_login("super.test", PASSWORD).await;
    assert_eq!(redirected(&staff.get("/").await), "/login");
    assert!(staff.page("/staff").await.contains("主管"));
}

#[tokio::test]
async fn staff_accounts_lock_after_five_failures() {
    let app = spawn_app().await;
    app.staff("admin.test", StaffRole::Admin).await;
    let b = app.browser();
    for _ in 0..5 {
        b.staff_login("admin.test", "Wrong-Password-1").await;
    }
    let res = b.staff_login("admin.test", PASSWORD).await;
    assert!(redirected(&res).starts_with("/staff/login?error=locked"));
}
