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
    let body =
        serde_json::json!({"message_id": "in-403", "phone": c.phone, "text": " t "}).to_string();
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
    // Queued before the reply: suppressed. New reminders: not queued at all. Only the
    // confirmation of the stop goes out.
    assert_eq!(dispatch(&app.state, "t").await.unwrap(), 1);
    assert!(app
        .sms
        .delivered_to(&c.phone)
        .iter()
        .any(|d| d.body.contains("已退订")));
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

impl TestApp {
    /// (state, attempts, last error) of each message to `phone` of `category`.
    async fn tries(&self, phone: &str, category: &str) -> Vec<(String, i64, Option<String>)> {
        sqlx::query_as(
            "SELECT state, attempts, last_error FROM sms_outbox WHERE phone = $1 AND category = $2 ORDER BY created_at, id",
        )
        .bind(phone)
        .bind(category)
        .fetch_all(&self.state.db.pool)
        .await
        .unwrap()
    }
}

/// The provider down: nothing is lost (messages stay queued), the one tried waits for
/// its retry with the provider's answer kept, the rest of the batch is not tried at all,
/// and a login code queued behind a backlog of confirmations still goes first.
#[tokio::test]
async fn a_failing_provider_loses_nothing_and_login_codes_go_first_when_it_is_back() {
    let app = spawn_app().await;
    let c = app.customer("13900000431", "重试", Some(PASSWORD)).await;
    app.set_local_hour(10);
    for _ in 0..60 {
        app.queue(&c.phone, "payment_confirmation").await;
    }
    app.clock.advance(1);
    app.queue(&c.phone, "login_code").await;

    app.sms.set_failing(true);
    assert_eq!(dispatch(&app.state, "t").await.unwrap(), 0);
    let code = app.tries(&c.phone, "login_code").await;
    assert_eq!(code.len(), 1);
    assert_eq!(
        (code[0].0.as_str(), code[0].1),
        ("deferred", 1),
        "the code was tried first"
    );
    assert!(
        code[0].2.as_deref().unwrap().contains("503"),
        "{:?}",
        code[0].2
    );
    let backlog = app.tries(&c.phone, "payment_confirmation").await;
    assert!(
        backlog.iter().all(|(s, n, _)| s == "queued" && *n == 0),
        "the rest of the batch was handed back untried"
    );
    // The next tick, still down: the code is not due yet, one confirmation is tried.
    assert_eq!(dispatch(&app.state, "t").await.unwrap(), 0);
    assert_eq!(app.tries(&c.phone, "login_code").await[0].1, 1);

    app.sms.set_failing(false);
    app.clock.advance(31);
    let sent = dispatch(&app.state, "t").await.unwrap();
    assert_eq!(sent, 50, "a full batch once the provider answers");
    assert!(
        app.sms.delivered_to(&c.phone)[0].body.contains("测试短信"),
        "delivered"
    );
    assert_eq!(app.tries(&c.phone, "login_code").await[0].0, "sent");
    assert_eq!(dispatch(&app.state, "t").await.unwrap(), 11, "nothing lost");
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM sms_outbox WHERE phone = $1 AND state = 'sent'",
            &c.phone
        )
        .await,
        61
    );
}

/// A provider down for good: a login code is given up after 10 minutes and a
/// confirmation after a day, each with the provider's last answer for staff to read.
#[tokio::test]
async fn messages_are_given_up_in_time_and_staff_see_why() {
    let app = spawn_app().await;
    let c = app.customer("13900000432", "放弃", Some(PASSWORD)).await;
    app.set_local_hour(10);
    app.queue(&c.phone, "login_code").await;
    app.queue(&c.phone, "payment_confirmation").await;
    app.sms.set_failing(true);
    // The sender ticks at each retry's due time, until nothing is left to try.
    for _ in 0..200 {
        dispatch(&app.state, "t").await.unwrap();
        let (next,): (Option<i64>,) = sqlx::query_as(
            "SELECT MIN(COALESCE(defer_until, 0)) FROM sms_outbox WHERE phone = $1 AND state IN ('queued', 'deferred')",
        )
        .bind(&c.phone)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
        let Some(next) = next else { break };
        app.clock.advance((next - app.clock.now()).max(1));
    }
    let code = app.tries(&c.phone, "login_code").await;
    let confirmation = app.tries(&c.phone, "payment_confirmation").await;
    assert_eq!(code[0].0, "suppressed");
    assert_eq!(confirmation[0].0, "suppressed");
    assert!(
        code[0].1 <= 6,
        "a code is tried a few times in 10 minutes: {}",
        code[0].1
    );
    assert!(
        (8..=40).contains(&confirmation[0].1),
        "backed off over a day: {} tries",
        confirmation[0].1
    );
    let (reason,): (String,) = sqlx::query_as(
        "SELECT suppressed_reason FROM sms_outbox WHERE phone = $1 AND category = 'login_code'",
    )
    .bind(&c.phone)
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    assert_eq!(reason, "gave_up");

    app.staff("supervisor.wu", app::model::StaffRole::Supervisor)
        .await;
    let staff = app.browser();
    staff.staff_login("supervisor.wu", PASSWORD).await;
    let page = staff.page("/staff/outbox").await;
    assert!(page.contains("多次发送失败，已放弃"), "the state in words");
    assert!(
        page.contains("sandbox provider: 503 service unavailable"),
        "and the provider's answer"
    );
}
