//! Two-way SMS (issue 22): texts to our number, through the signed webhook, answered in
//! the outbox. Each keyword from the right phone, and every way it must not go wrong:
//! another phone, wrong ID digits, the BDCX lockout, a message delivered twice, a forged
//! signature, too many queries.

use crate::access::claim_of;
use crate::helpers::*;
use app::backend::services::sms::dispatch;
use reqwest::StatusCode;

/// What the not-verified sender is told, whatever the reason.
fn generic() -> String {
    app::i18n::t_in(app::i18n::Locale::ZhCn, "sms_reply.not_found")
}

impl TestApp {
    /// The provider forwarding a text from `phone`, signed.
    async fn text(&self, message_id: &str, phone: &str, text: &str) -> StatusCode {
        let body =
            serde_json::json!({"message_id": message_id, "phone": phone, "text": text}).to_string();
        self.webhook(&body, None).await
    }

    async fn webhook(&self, body: &str, signature: Option<&str>) -> StatusCode {
        let sig = signature.map(str::to_owned).unwrap_or_else(|| {
            app::backend::adapters::payments::sign(
                &self.state.config.webhook_secret,
                body.as_bytes(),
            )
        });
        reqwest::Client::new()
            .post(format!("{}/webhooks/sms", self.base))
            .header("x-anxin-signature", sig)
            .body(body.to_owned())
            .send()
            .await
            .unwrap()
            .status()
    }

    /// The answers queued for `phone`, oldest first.
    async fn replies(&self, phone: &str) -> Vec<String> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT body FROM sms_outbox WHERE phone = $1 AND category = 'sms_reply' ORDER BY created_at, body",
        )
        .bind(phone)
        .fetch_all(&self.state.db.pool)
        .await
        .unwrap();
        rows.into_iter().map(|(b,)| b).collect()
    }

    /// The one answer to one message.
    async fn reply_to(&self, message_id: &str) -> String {
        let (body,): (String,) = sqlx::query_as(
            "SELECT o.body FROM sms_inbound i JOIN sms_outbox o ON o.id = i.reply_id WHERE i.message_id = $1",
        )
        .bind(message_id)
        .fetch_one(&self.state.db.pool)
        .await
        .unwrap();
        body
    }

    async fn outcomes(&self, phone: &str, outcome: &str) -> i64 {
        let (n,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM sms_inbound WHERE phone = $1 AND outcome = $2")
                .bind(phone)
                .bind(outcome)
                .fetch_one(&self.state.db.pool)
                .await
                .unwrap();
        n
    }

    /// The link code in a text, and what the link is for.
    async fn link_in(&self, body: &str) -> (String, String, String) {
        let start = body.find("/s/").expect("a short link") + 3;
        let code: String = body[start..]
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        let (purpose, target): (String, String) =
            sqlx::query_as("SELECT purpose, target_id FROM short_links WHERE code = $1")
                .bind(&code)
                .fetch_one(&self.state.db.pool)
                .await
                .unwrap();
        (code, purpose, target)
    }
}

/// A phone that passed a link's light check.
async fn through_link(app: &TestApp, code: &str, last4: &str) -> (Browser, String) {
    let phone = app.browser();
    assert_eq!(phone.get(&format!("/s/{code}")).await.status(), 200);
    let landed = redirected(
        &phone
            .post_form("/api/check_link", &[("code", code), ("id_last4", last4)])
            .await,
    );
    (phone, landed)
}

#[tokio::test]
async fn bdcx_lists_the_policies_in_force_with_a_link_to_renew_the_first_due() {
    let app = spawn_app().await;
    let c = app.customer("13900002201", "王芳", Some(PASSWORD)).await;
    let due = app.renewal_due(&c, 20, 300_000).await;
    // Full-width, lower case, a plus between keyword and digits: all understood.
    assert_eq!(
        app.text("m-1", &c.phone, "ｂｄｃｘ＋１２３ｘ").await,
        StatusCode::OK
    );
    let answer = app.reply_to("m-1").await;
    assert!(answer.contains("您有2张保单在保"), "{answer}");
    assert!(
        answer.contains(&format!("尾号{}", &c.policy_no[c.policy_no.len() - 4..])),
        "{answer}"
    );
    assert!(!answer.contains(&c.policy_no), "masked: {answer}");
    assert!(
        answer.contains("下次应缴") && answer.contains('¥'),
        "{answer}"
    );
    let (code, purpose, target) = app.link_in(&answer).await;
    assert_eq!(
        (purpose.as_str(), target.as_str()),
        ("renewal", due.policy_id.as_str())
    );
    let (_, landed) = through_link(&app, &code, &c.id_last4).await;
    assert_eq!(landed, format!("/policies/{}/renew", due.policy_id));
    // The digits never reach what staff read.
    let (kept,): (String,) =
        sqlx::query_as("SELECT body FROM sms_inbound WHERE message_id = 'm-1'")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert!(!kept.contains("１２３") && !kept.contains("123"), "{kept}");
}

#[tokio::test]
async fn another_phone_or_wrong_digits_get_one_generic_answer_that_tells_nothing() {
    let app = spawn_app().await;
    let c = app.customer("13900002202", "李娜", Some(PASSWORD)).await;
    let other = app.customer("13900002203", "张伟", Some(PASSWORD)).await;
    let claim = claim_of(&app, &c).await;
    let (claim_no,): (String,) = sqlx::query_as("SELECT claim_no FROM claims WHERE id = $1")
        .bind(&claim)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    let stranger = "13700002204";
    let asked = [
        ("g-1", stranger, "BDCX 123X".to_owned()),
        ("g-2", c.phone.as_str(), "BDCX 9999".to_owned()),
        ("g-3", stranger, format!("LLCX {claim_no}")),
        ("g-4", other.phone.as_str(), format!("LLCX {claim_no}")),
        ("g-5", c.phone.as_str(), "LLCX CL2020999999".to_owned()),
        ("g-6", stranger, "TJ".to_owned()),
        ("g-7", stranger, "JY".to_owned()),
    ];
    for (id, phone, text) in &asked {
        assert_eq!(app.text(id, phone, text).await, StatusCode::OK);
        let answer = app.reply_to(id).await;
        assert_eq!(answer, generic(), "{text} from {phone}");
        assert!(!answer.contains(&claim_no));
    }
    // The owner, from their own phone, does hear about it.
    assert_eq!(
        app.text("g-8", &c.phone, &format!("llcx{claim_no}")).await,
        StatusCode::OK
    );
    assert!(app.reply_to("g-8").await.contains(&claim_no));
}

#[tokio::test]
async fn three_wrong_id_digits_lock_bdcx_for_that_phone_for_a_day_even_in_a_burst() {
    let app = spawn_app().await;
    let c = app.customer("13900002205", "赵磊", Some(PASSWORD)).await;
    // Five wrong guesses at once: three are compared, the rest find BDCX locked.
    let guesses = (0..5).map(|i| {
        let app = &app;
        let phone = c.phone.clone();
        async move {
            app.text(&format!("w-{i}"), &phone, &format!("BDCX 000{i}"))
                .await
        }
    });
    for status in futures::future::join_all(guesses).await {
        assert_eq!(status, StatusCode::OK);
    }
    assert_eq!(app.outcomes(&c.phone, "not_found").await, 3);
    assert_eq!(app.outcomes(&c.phone, "locked").await, 2);
    // An hour on (the query limit is new), the right digits are still refused …
    app.clock.advance(3601);
    assert_eq!(
        app.text("w-right", &c.phone, "BDCX 123X").await,
        StatusCode::OK
    );
    assert_eq!(
        app.reply_to("w-right").await,
        app::i18n::t_in(app::i18n::Locale::ZhCn, "sms_reply.locked")
    );
    // … other keywords are not, and a day after the last try BDCX answers again.
    assert_eq!(app.text("w-tj", &c.phone, "TJ").await, StatusCode::OK);
    assert_ne!(app.reply_to("w-tj").await, generic());
    app.clock.advance(86_401);
    assert_eq!(
        app.text("w-later", &c.phone, "BDCX 123X").await,
        StatusCode::OK
    );
    assert!(app.reply_to("w-later").await.contains("保单在保"));
}

#[tokio::test]
async fn llcx_tells_the_stage_the_missing_documents_the_date_and_links_the_timeline() {
    let app = spawn_app().await;
    let c = app.customer("13900002206", "孙丽", Some(PASSWORD)).await;
    let claim = claim_of(&app, &c).await;
    let (claim_no,): (String,) = sqlx::query_as("SELECT claim_no FROM claims WHERE id = $1")
        .bind(&claim)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(
        app.text("l-1", &c.phone, &format!(" LLCX # {claim_no} "))
            .await,
        StatusCode::OK
    );
    let answer = app.reply_to("l-1").await;
    assert!(
        answer.contains(&claim_no) && answer.contains("已报案"),
        "{answer}"
    );
    assert!(
        answer.contains("待补材料：") && answer.contains("驾驶证"),
        "{answer}"
    );
    assert!(answer.contains("完成"), "{answer}");
    let (code, purpose, target) = app.link_in(&answer).await;
    assert_eq!(
        (purpose.as_str(), target.as_str()),
        ("claim", claim.as_str())
    );
    let (phone, landed) = through_link(&app, &code, &c.id_last4).await;
    assert_eq!(landed, format!("/claims/{claim}"));
    assert_eq!(phone.get(&landed).await.status(), 200);
}

#[tokio::test]
async fn tj_and_jy_tell_what_is_left_and_their_links_book_or_ask_for_help() {
    let app = spawn_app().await;
    let c = app.customer("13900002207", "周杰", Some(PASSWORD)).await;
    let s = app.services(2, 3).await;
    let policy = app.policy_of(&c.phone).await;

    assert_eq!(app.text("t-1", &c.phone, "tj").await, StatusCode::OK);
    let answer = app.reply_to("t-1").await;
    assert!(answer.contains("还剩2次"), "{answer}");
    let (code, purpose, target) = app.link_in(&answer).await;
    assert_eq!(
        (purpose.as_str(), target.as_str()),
        ("booking", policy.as_str())
    );
    let (phone, landed) = through_link(&app, &code, &c.id_last4).await;
    assert!(
        landed.starts_with(&format!("/services/book?policy={policy}")),
        "{landed}"
    );
    assert!(phone.page(&landed).await.contains("安心体检中心"));
    let booked = redirected(&phone.book(&policy, &s.checkup_kind, &s.slots[0]).await);
    assert!(booked.contains("done=booked"), "{booked}");
    assert_eq!(phone.get(&booked).await.status(), 200);
    assert_eq!(app.uses(&policy).await, 1);

    assert_eq!(app.text("j-1", &c.phone, "ＪＹ").await, StatusCode::OK);
    let answer = app.reply_to("j-1").await;
    assert!(
        answer.contains("95500") && answer.contains("6次"),
        "{answer}"
    );
    let (code, purpose, _) = app.link_in(&answer).await;
    assert_eq!(purpose, "roadside");
    let (phone, landed) = through_link(&app, &code, &c.id_last4).await;
    assert_eq!(landed, format!("/roadside?policy={policy}"));
    assert!(phone.page(&landed).await.contains("roadside-form"));
    let asked = redirected(
        &phone
            .post_form(
                "/api/request_roadside",
                &[
                    ("policy_id", &policy),
                    ("location", "上海市徐汇区漕溪北路 100 号附近"),
                    ("plate", "沪A D1234"),
                    ("what_happened", "电瓶没电，无法启动"),
                    ("phone", &c.phone),
                ],
            )
            .await,
    );
    assert!(asked.contains("done=received"), "{asked}");
    assert_eq!(phone.get(&asked).await.status(), 200);
}

#[tokio::test]
async fn t_stops_reminders_with_one_confirmation_and_answers_still_reach_the_opted_out() {
    let app = spawn_app().await;
    let c = app.customer("13900002208", "吴静", Some(PASSWORD)).await;
    app.services(2, 3).await;
    for (id, stop) in [("s-1", "退订"), ("s-2", "R")] {
        assert_eq!(app.text(id, &c.phone, stop).await, StatusCode::OK);
    }
    let id = app.customer_id(&c.phone).await;
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM notification_preferences WHERE customer_id = $1 \
             AND renewal = 0 AND survey = 0 AND marketing = 0 AND claims = 1",
            &id
        )
        .await,
        1
    );
    assert!(app.reply_to("s-1").await.contains("已退订"));
    // 23:30 in Shanghai, opted out, and the week's cap long reached: a question still
    // gets its answer at once.
    let local = (app.clock.now() + 8 * 3600).rem_euclid(86_400);
    app.clock
        .advance((23 * 3600 + 1800 - local).rem_euclid(86_400));
    assert_eq!(app.text("s-3", &c.phone, "TJ").await, StatusCode::OK);
    dispatch(&app.state, "test").await.unwrap();
    let delivered = app.sms.delivered_to(&c.phone);
    assert!(
        delivered.iter().any(|d| d.body.contains("还剩2次")),
        "{delivered:?}"
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM sms_outbox WHERE phone = $1 AND category = 'sms_reply' AND state <> 'sent'",
            &c.phone
        )
        .await,
        0
    );
}

#[tokio::test]
async fn a_message_delivered_twice_or_five_times_at_once_is_answered_once() {
    let app = spawn_app().await;
    let c = app.customer("13900002209", "郑爽", Some(PASSWORD)).await;
    assert_eq!(
        app.text("dup-1", &c.phone, "BDCX 0000").await,
        StatusCode::OK
    );
    assert_eq!(
        app.text("dup-1", &c.phone, "BDCX 0000").await,
        StatusCode::OK
    );
    let burst = (0..5).map(|_| app.text("dup-2", &c.phone, "BDCX 0000"));
    for status in futures::future::join_all(burst).await {
        assert_eq!(status, StatusCode::OK);
    }
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM sms_inbound WHERE phone = $1",
            &c.phone
        )
        .await,
        2
    );
    assert_eq!(app.replies(&c.phone).await.len(), 2);
    // Two wrong guesses counted, not seven: BDCX is not locked yet.
    assert_eq!(
        app.text("dup-3", &c.phone, "BDCX 123X").await,
        StatusCode::OK
    );
    assert!(app.reply_to("dup-3").await.contains("保单在保"));
}

#[tokio::test]
async fn a_bad_signature_or_body_is_400_and_changes_nothing() {
    let app = spawn_app().await;
    let c = app.customer("13900002210", "冯雪", Some(PASSWORD)).await;
    let body = serde_json::json!({"message_id": "b-1", "phone": c.phone, "text": "T"}).to_string();
    assert_eq!(
        app.webhook(&body, Some("00ff")).await,
        StatusCode::BAD_REQUEST
    );
    for bad in [
        serde_json::json!({"phone": c.phone, "text": "T"}).to_string(),
        serde_json::json!({"message_id": "", "phone": c.phone, "text": "T"}).to_string(),
        "not json".to_owned(),
    ] {
        assert_eq!(
            app.webhook(&bad, None).await,
            StatusCode::BAD_REQUEST,
            "{bad}"
        );
    }
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM sms_inbound WHERE phone = $1",
            &c.phone
        )
        .await,
        0
    );
    assert_eq!(app.sms_count(&c.phone).await, 0);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM notification_preferences WHERE customer_id = $1 AND renewal = 0",
            &app.customer_id(&c.phone).await
        )
        .await,
        0
    );
}

#[tokio::test]
async fn past_five_an_hour_and_ten_a_day_a_phone_gets_one_too_many_notice() {
    let app = spawn_app().await;
    let c = app.customer("13900002211", "陈晨", Some(PASSWORD)).await;
    let too_many = app::i18n::t_in(app::i18n::Locale::ZhCn, "sms_reply.too_many");
    let burst = (0..8).map(|i| {
        let app = &app;
        let phone = c.phone.clone();
        async move { app.text(&format!("r-{i}"), &phone, "JY").await }
    });
    for status in futures::future::join_all(burst).await {
        assert_eq!(status, StatusCode::OK);
    }
    assert_eq!(app.outcomes(&c.phone, "answered").await, 5);
    assert_eq!(app.outcomes(&c.phone, "limited").await, 3);
    let replies = app.replies(&c.phone).await;
    assert_eq!(replies.len(), 6, "{replies:?}");
    assert_eq!(replies.iter().filter(|r| **r == too_many).count(), 1);
    // The next hour: five more, then the day's ten are used up (and one more notice).
    app.clock.advance(3601);
    for i in 0..7 {
        assert_eq!(
            app.text(&format!("r2-{i}"), &c.phone, "帮助").await,
            StatusCode::OK
        );
    }
    assert_eq!(app.outcomes(&c.phone, "answered").await, 10);
    let replies = app.replies(&c.phone).await;
    assert_eq!(replies.iter().filter(|r| **r == too_many).count(), 2);
    // A stop still stops past the limit.
    assert_eq!(app.text("r-stop", &c.phone, "T").await, StatusCode::OK);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM notification_preferences WHERE customer_id = $1 AND renewal = 0",
            &app.customer_id(&c.phone).await
        )
        .await,
        1
    );
}

#[tokio::test]
async fn anything_else_gets_a_one_segment_menu_in_the_customers_language() {
    let app = spawn_app().await;
    let c = app
        .customer("13900002212", "Mary Lin", Some(PASSWORD))
        .await;
    assert_eq!(
        app.text("h-1", &c.phone, "你好，请问怎么续保？").await,
        StatusCode::OK
    );
    let menu = app.reply_to("h-1").await;
    assert!(
        menu.chars().count() <= 70 && menu.contains("BDCX"),
        "{menu}"
    );
    // Choosing English on the site makes the answers English too.
    let b = app.browser();
    b.login(&c.phone, PASSWORD).await;
    b.post_form("/api/set_locale", &[("lang", "en"), ("next", "/")])
        .await;
    assert_eq!(app.text("h-2", &c.phone, "hello").await, StatusCode::OK);
    let menu = app.reply_to("h-2").await;
    assert!(
        menu.starts_with("Anxin") && menu.chars().count() <= 70,
        "{menu}"
    );
    assert_eq!(app.text("h-3", &c.phone, "TJ").await, StatusCode::OK);
    assert!(app.reply_to("h-3").await.starts_with("Anxin"));
}

#[tokio::test]
async fn staff_read_each_text_beside_its_answer_with_id_digits_starred_out() {
    let app = spawn_app().await;
    let c = app.customer("13900002213", "何琳", Some(PASSWORD)).await;
    app.text("o-1", &c.phone, "BDCX 123X").await;
    app.text("o-2", &c.phone, "TJ").await;
    app.staff("sup.sms", app::model::StaffRole::Supervisor)
        .await;
    let b = app.browser();
    assert_eq!(
        redirected(&b.staff_login("sup.sms", PASSWORD).await),
        "/staff"
    );
    let page = b.page("/staff/outbox").await;
    assert!(
        page.contains("收到的短信") && page.contains("BDCX ****"),
        "{page}"
    );
    assert!(!page.contains("BDCX 123X"));
    assert!(page.contains("保单查询 BDCX") && page.contains("保单在保"));
    assert!(page.contains("data-testid=\"inbound-row\""));
}
