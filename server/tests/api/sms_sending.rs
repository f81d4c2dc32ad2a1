//! Sending rules: quiet hours, preferred windows, the weekly cap, unsubscribing.

use crate::helpers::*;
use app::backend::services::sms::dispatch;
use app::backend::store::outbox::{enqueue, NewMessage};
use reqwest::StatusCode;

impl TestApp {
    /// Moves the clock forward to the next `hour:00` in Asia/Shanghai.
    fn set_local_hour(&self, hour: i64) {
        let local = (self.clock.now() + 8 * 3600).rem_euclid(86_400);
        let target = hour * 3600;
        self.clock.advance((target - local).rem_euclid(86_400));
    }

    async fn queue(&self, phone: &str, category: &str) {
        let customer_id = self.customer_id(phone).await;
        enqueue(
            &self.state.db.pool,
            NewMessage {
                customer_id: Some(&customer_id),
                phone,
                category,
                body: "测试短信",
                secret_body: None,
                dedupe_key: None,
                now: self.clock.now(),
            },
        )
        .await
        .unwrap();
    }

    async fn states(&self, phone: &str) -> Vec<(String, String)> {
        sqlx::query_as(
            "SELECT category, state FROM sms_outbox WHERE phone = $1 ORDER BY category, state",
        )
        .bind(phone)
        .fetch_all(&self.state.db.pool)
        .await
        .unwrap()
    }
}

#[tokio::test]
async fn at_night_only_login_codes_go_out_and_reminders_wait_for_eight() {
    let app = spawn_app().await;
    let c = app.customer("13900000401", "夜猫", Some(PASSWORD)).await;
    app.set_local_hour(22);
    app.queue(&c.phone, "renewal_reminder").await;
    app.queue(&c.phone, "login_code").await;
    app.queue(&c.phone, "payment_confirmation").await;
    assert_eq!(dispatch(&app.state, "t").await.unwrap(), 1);
    assert_eq!(
        app.states(&c.phone).await,
        vec![
            ("login_code".into(), "sent".into()),
            ("payment_confirmation".into(), "deferred".into()),
            ("renewal_reminder".into(), "deferred".into())
        ]
    );
    app.set_local_hour(7);
    assert_eq!(
        dispatch(&app.state, "t").await.unwrap(),
        0,
        "still quiet at 07:00"
    );
    app.set_local_hour(8);
    assert_eq!(dispatch(&app.state, "t").await.unwrap(), 2);
}

#[tokio::test]
async fn reminders_respect_the_chosen_window_and_the_weekly_cap() {
    let app = spawn_app().await;
    let c = app.customer("13900000402", "晚间", Some(PASSWORD)).await;
    app.set_local_hour(10);
    let b = app.browser();
    b.login(&c.phone, PASSWORD).await;
    let res = b
        .post_form(
            "/api/save_notification_preferences",
            &[
                ("renewal", "on"),
                ("claims", "on"),
                ("service_notice", "on"),
                ("survey", "on"),
                ("time_window", "evening"),
            ],
        )
        .await;
    assert_eq!(redirected(&res), "/settings/notifications?saved=1");
    app.queue(&c.phone, "renewal_reminder").await;
    app.queue(&c.phone, "payment_confirmation").await;
    assert_eq!(
        dispatch(&app.state, "t").await.unwrap(),
        1,
        "the confirmation goes, the reminder waits for 18:00"
    );
    app.set_local_hour(18);
    assert_eq!(dispatch(&app.state, "t").await.unwrap(), 1);
    for _ in 0..3 {
        app.queue(&c.phone, "survey").await;
    }
    app.queue(&c.phone, "payment_confirmation").await;
    assert_eq!(
        dispatch(&app.state, "t").await.unwrap(),
        3,
        "two more surveys fit under the cap of 3, and the confirmation"
    );
    let suppressed = app
        .count(
            "SELECT COUNT(*) FROM sms_outbox WHERE suppressed_reason = $1",
            "frequency_cap",
        )
        .await;
    assert_eq!(suppressed, 1);
    // The settings page lists what was sent (a fresh login: hours have passed).
    b.login(&c.phone, PASSWORD).await;
    let page = b.page("/settings/notifications").await;
    assert!(page.contains("测试短信") && page.contains("selected"));
}

#[tokio::test]
async fn a_t_reply_unsubscribes_and_a_forged_one_is_refused() {
    let app = spawn_app().await;
    let c = app.customer("13900000403", "退订", Some(PASSWORD)).await;
    app.renewal_due(&c, 20, 300_000).await;
    app.set_local_hour(10);
    app.queue(&c.phone, "renewal_reminder").await;
    let http = reqwest::Client::new();
    let body = serde_json::json!({"phone": c.phone, "text": " t "}).to_string();
    let forged = http
        .post(format!("{}/webhooks/sms", app.base))
        .header("x-anxin-signature", "abcd")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM notification_preferences WHERE renewal = 0 AND customer_id = $1",
            &app.customer_id(&c.phone).await
        )
        .await,
        0
    );
    let sig =
        app::backend::adapters::payments::sign(&app.state.config.webhook_secret, body.as_bytes());
    let ok = http
        .post(format!("{}/webhooks/sms", app.base))
        .header("x-anxin-signature", sig)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    // Queued before the reply: suppressed. New reminders: not queued at all.
    assert_eq!(dispatch(&app.state, "t").await.unwrap(), 0);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM sms_outbox WHERE suppressed_reason = $1",
            "opted_out"
        )
        .await,
        1
    );
    assert_eq!(
        app::backend::services::reminders::queue_renewal_reminders(&app.state)
            .await
            .unwrap(),
        0
    );
    // The settings page can turn them back on.
    let b = app.browser();
    b.login(&c.phone, PASSWORD).await;
    assert!(!b
        .page("/settings/notifications")
        .await
        .contains("name=\"renewal\" value=\"on\" checked"));
    b.post_form(
        "/api/save_notification_preferences",
        &[("renewal", "on"), ("time_window", "any")],
    )
    .await;
    assert_eq!(
        app::backend::services::reminders::queue_renewal_reminders(&app.state)
            .await
            .unwrap(),
        1
    );
}

#[tokio::test]
async fn supervisors_read_the_outbox_and_follow_its_links_agents_cannot() {
    let app = spawn_app().await;
    app.staff("super.outbox", app::model::StaffRole::Supervisor)
        .await;
    app.staff("agent.outbox", app::model::StaffRole::Agent)
        .await;
    let c = app.customer("13900000404", "发件箱", Some(PASSWORD)).await;
    app.renewal_due(&c, 20, 300_000).await;
    app::backend::services::reminders::queue_renewal_reminders(&app.state)
        .await
        .unwrap();
    let agent = app.browser();
    agent.staff_login("agent.outbox", PASSWORD).await;
    assert_eq!(
        agent.get("/staff/outbox").await.status(),
        StatusCode::NOT_FOUND
    );
    let sup = app.browser();
    sup.staff_login("super.outbox", PASSWORD).await;
    let page = sup.page("/staff/outbox").await;
    assert!(page.contains("data-testid=\"outbox-link\"") && page.contains("/s/"));
    assert!(
        page.contains("139****0404") && !page.contains("13900000404"),
        "phones masked"
    );
    let customer = app.browser();
    customer.login(&c.phone, PASSWORD).await;
    assert_eq!(
        redirected(&customer.get("/staff/outbox").await),
        "/staff/login"
    );
}
