use crate::helpers::*;

#[tokio::test]
async fn an_idle_session_expires_after_thirty_minutes() {
    let app = spawn_app().await;
    let c = app.customer("13900000031", "胡娟", Some(PASSWORD)).await;
    let b = app.browser();
    b.login(&c.phone, PASSWORD).await;
    app.clock.advance(20 * 60);
    b.page("/").await; // activity keeps it alive
    app.clock.advance(20 * 60);
    b.page("/").await;
    app.clock.advance(31 * 60);
    assert_eq!(redirected(&b.get("/").await), "/login");
}

#[tokio::test]
async fn a_session_ends_after_twelve_hours_however_active() {
    let app = spawn_app().await;
    let c = app.customer("13900000032", "杨帆", Some(PASSWORD)).await;
    let b = app.browser();
    b.login(&c.phone, PASSWORD).await;
    for _ in 0..(12 * 60 / 25) {
        app.clock.advance(25 * 60);
        b.page("/").await;
    }
    app.clock.advance(25 * 60);
    assert_eq!(redirected(&b.get("/").await), "/login");
}

#[tokio::test]
async fn logout_deletes_the_session_server_side() {
    let app = spawn_app().await;
    let c = app.customer("13900000033", "吴勇", Some(PASSWORD)).await;
    let b = app.browser();
    let cookie = session_cookie(&b.login(&c.phone, PASSWORD).await).unwrap();
    let token = cookie.split(';').next().unwrap().to_owned();

    let res = b.post_form("/api/logout", &[]).await;
    assert_eq!(redirected(&res), "/login");
    let cleared = session_cookie(&res).unwrap();
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sessions")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(n, 0, "deleted server side");
    // Replaying the old token by hand does not work either.
    let res = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{}/", app.base))
        .header("cookie", token)
        .send()
        .await
        .unwrap();
    assert_eq!(redirected(&res), "/login");
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sessions")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(n, 0);
}

#[tokio::test]
async fn a_customer_sees_only_their_own_policies() {
    let app = spawn_app().await;
    let a = app.customer("13900000034", "甲客户", Some(PASSWORD)).await;
    let other = app.customer("13900000035", "乙客户", Some(PASSWORD)).await;
    let b = app.browser();
    b.login(&a.phone, PASSWORD).await;
    let home = b.page("/").await;
    assert!(home.contains("PA****0034"));
    assert!(!home.contains("PA****0035"));
    assert!(!home.contains("乙客户"));
    let _ = other;
}

#[tokio::test]
async fn logging_out_everywhere_ends_every_device() {
    let app = spawn_app().await;
    let c = app.customer("13900000036", "多设备", Some(PASSWORD)).await;
    let phone = app.browser();
    let laptop = app.browser();
    phone.login(&c.phone, PASSWORD).await;
    laptop.login(&c.phone, PASSWORD).await;
    let other = app.customer("13900000037", "别人", Some(PASSWORD)).await;
    let stranger = app.browser();
    stranger.login(&other.phone, PASSWORD).await;

    assert_eq!(
        redirected(&laptop.post_form("/api/logout_everywhere", &[]).await),
        "/login"
    );
    assert_eq!(redirected(&phone.get("/").await), "/login");
    assert_eq!(redirected(&laptop.get("/").await), "/login");
    stranger.page("/").await; // someone else's session is untouched
}
