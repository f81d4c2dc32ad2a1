use crate::helpers::*;
use futures::future::join_all;
use reqwest::StatusCode;

fn payment_id(location: &str) -> String {
    assert!(location.starts_with("/payments/"), "{location}");
    location.trim_start_matches("/payments/").to_owned()
}

#[tokio::test]
async fn the_renewal_page_explains_the_new_price_item_by_item() {
    let app = spawn_app().await;
    let c = app.customer("13900000101", "林晓燕", Some(PASSWORD)).await;
    let due = app.renewal_due(&c, 20, 300_000).await;
    let b = app.browser();
    b.login(&c.phone, PASSWORD).await;
    let page = b.page(&format!("/policies/{}/renew", due.policy_id)).await;
    assert!(page.contains("¥3,000.00"), "last year's premium");
    assert!(
        page.contains(&app::model::Money(due.premium_fen).display()),
        "this year's premium"
    );
    for item in ["无赔款优待", "费率调整", "老客户优惠"] {
        assert!(page.contains(item), "{item}");
    }
    // 3000 → -10% = -300.00 → 2700 +4% = +108.00 → 2808 -3% = -84.24 → 2723.76
    assert!(page.contains("-¥300.00") && page.contains("+¥108.00") && page.contains("-¥84.24"));
    assert!(page.contains("-¥276.24"), "the items sum to the difference");
    assert!(
        page.contains("data-testid=\"id-check-form\""),
        "asks for a step-up before paying"
    );
    assert!(!page.contains("data-testid=\"pay-form\""));
}

#[tokio::test]
async fn paying_renews_the_policy_once_with_a_receipt_and_an_sms() {
    let app = spawn_app().await;
    let c = app.customer("13900000102", "王伟", Some(PASSWORD)).await;
    let due = app.renewal_due(&c, 10, 300_000).await;
    let method = app.saved_method(&c, "tok_ok").await;
    let b = app.browser();
    b.login_and_step_up(&c).await;
    let page = b.page(&format!("/policies/{}/renew", due.policy_id)).await;
    assert!(page.contains("data-testid=\"pay-form\""));
    let key = page
        .split("name=\"key\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();

    let res = b.pay(&due, "1", &key, &format!("saved:{method}"), "").await;
    let id = payment_id(&redirected(&res));
    assert_eq!(app.settled_state(&id).await, "succeeded");

    let receipt = b.page(&format!("/payments/{id}")).await;
    assert!(receipt.contains("data-testid=\"receipt\""));
    assert!(
        receipt.contains(&app::i18n::date_in(app::i18n::Locale::ZhCn, &due.new_start)),
        "the new period starts the day after the old one ends"
    );
    let terms = app
        .count(
            "SELECT COUNT(*) FROM policy_terms WHERE policy_id = $1",
            &due.policy_id,
        )
        .await;
    assert_eq!(terms, 2);
    let (start,): (String,) =
        sqlx::query_as("SELECT start_date FROM policy_terms WHERE policy_id = $1 AND term_no = 2")
            .bind(&due.policy_id)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!(start, due.new_start);
    assert!(due.new_start > due.old_end);
    let sms = app.last_sms(&c.phone).await.unwrap();
    assert!(
        sms.contains("续保保费") && sms.contains(&app::model::Money(due.premium_fen).display()),
        "{sms}"
    );
    assert_eq!(app.gateway.charged().await.unwrap(), (1, due.premium_fen));

    // Refresh, retry, back button: the same key shows the same payment; nothing more is charged.
    let again = b.pay(&due, "1", &key, &format!("saved:{method}"), "").await;
    assert_eq!(payment_id(&redirected(&again)), id);
    let new_key = b
        .pay(&due, "1", "another-key-0000000001", "wechat", "")
        .await;
    assert_eq!(
        payment_id(&redirected(&new_key)),
        id,
        "a paid offer shows its payment"
    );
    assert_eq!(app.gateway.charged().await.unwrap(), (1, due.premium_fen));
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM policy_terms WHERE policy_id = $1",
            &due.policy_id
        )
        .await,
        2
    );
    // The renewal page now says it is paid.
    assert!(b
        .page(&format!("/policies/{}/renew", due.policy_id))
        .await
        .contains("这份报价已经支付"));
}

async fn fire_concurrently(b: &Browser, due: &DueRenewal, keys: Vec<String>) -> Vec<String> {
    let requests = keys.iter().map(|k| b.pay(due, "1", k, "wechat", ""));
    join_all(requests).await.iter().map(redirected).collect()
}

/// Fires 20 pay requests at once with `keys`, then checks one payment, one term, one charge.
async fn twenty_taps_charge_once(phone: &str, keys: Vec<String>) {
    let app = spawn_app().await;
    let c = app.customer(phone, "赵敏", Some(PASSWORD)).await;
    let due = app.renewal_due(&c, 10, 250_000).await;
    let b = app.browser();
    b.login_and_step_up(&c).await;
    let locations = fire_concurrently(&b, &due, keys).await;
    let first = payment_id(&locations[0]);
    assert!(
        locations.iter().all(|l| payment_id(l) == first),
        "{locations:?}"
    );
    assert_eq!(app.settled_state(&first).await, "succeeded");
    // Give any stray webhook time to arrive before counting.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let payments = app
        .count(
            "SELECT COUNT(*) FROM payments WHERE offer_id = $1",
            &due.offer_id,
        )
        .await;
    assert_eq!(payments, 1);
    let terms = app
        .count(
            "SELECT COUNT(*) FROM policy_terms WHERE policy_id = $1",
            &due.policy_id,
        )
        .await;
    assert_eq!(terms, 2);
    assert_eq!(app.gateway.charged().await.unwrap(), (1, due.premium_fen));
}

#[tokio::test]
async fn twenty_concurrent_taps_with_one_key_charge_once() {
    twenty_taps_charge_once("13900000103", vec!["same-key-000000000001".to_owned(); 20]).await;
}

#[tokio::test]
async fn twenty_concurrent_taps_from_two_tabs_with_different_keys_charge_once() {
    twenty_taps_charge_once(
        "13900000104",
        (0..20).map(|i| format!("tab-key-{i:016}")).collect(),
    )
    .await;
}

#[tokio::test]
async fn a_declined_card_shows_the_failure_and_another_method_works() {
    let app = spawn_app().await;
    let c = app.customer("13900000105", "陈静", Some(PASSWORD)).await;
    let due = app.renewal_due(&c, 10, 250_000).await;
    let b = app.browser();
    b.login_and_step_up(&c).await;
    let res = b
        .pay(
            &due,
            "1",
            "declined-key-0000000001",
            "unionpay",
            "6200 0000 0000 0005",
        )
        .await;
    let id = payment_id(&redirected(&res));
    assert_eq!(app.settled_state(&id).await, "failed");
    let page = b.page(&format!("/payments/{id}")).await;
    assert!(page.contains("银行拒绝了这笔交易") && page.contains("data-testid=\"try-again\""));
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM policy_terms WHERE policy_id = $1",
            &due.policy_id
        )
        .await,
        1
    );

    let res = b
        .pay(&due, "1", "wechat-key-00000000001", "wechat", "")
        .await;
    let second = payment_id(&redirected(&res));
    assert_ne!(second, id);
    assert_eq!(app.settled_state(&second).await, "succeeded");
    assert_eq!(app.gateway.charged().await.unwrap(), (1, due.premium_fen));

    // A card number that fails the Luhn check is refused before anything happens.
    let res = b
        .pay(
            &due,
            "1",
            "bad-card-key-000000001",
            "unionpay",
            "6200 0000 0000 0006",
        )
        .await;
    assert!(redirected(&res).contains("error=bad_method"));
}

#[tokio::test]
async fn paying_an_offer_that_changed_is_refused_and_shows_the_new_one() {
    let app = spawn_app().await;
    let c = app.customer("13900000106", "周杰", Some(PASSWORD)).await;
    let due = app.renewal_due(&c, 10, 250_000).await;
    let b = app.browser();
    b.login_and_step_up(&c).await;
    // The insurer re-prices: version 2 replaces version 1 in place.
    sqlx::query(
        "UPDATE renewal_offers SET version = 2, premium_fen = premium_fen + 5000 WHERE id = $1",
    )
    .bind(&due.offer_id)
    .execute(&app.state.db.pool)
    .await
    .unwrap();
    let res = b
        .pay(&due, "1", "stale-key-000000000001", "wechat", "")
        .await;
    let to = redirected(&res);
    assert_eq!(
        to,
        format!("/policies/{}/renew?error=offer_changed", due.policy_id)
    );
    let page = b.page(&to).await;
    assert!(page.contains("续保报价已更新"));
    assert!(
        page.contains(&app::model::Money(due.premium_fen + 5000).display()),
        "the new price is shown"
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM payments WHERE offer_id = $1",
            &due.offer_id
        )
        .await,
        0
    );
    assert_eq!(app.gateway.charged().await.unwrap(), (0, 0));
}

#[tokio::test]
async fn paying_needs_a_fresh_step_up_and_wrong_digits_are_refused() {
    let app = spawn_app().await;
    let c = app.customer("13900000107", "孙丽", Some(PASSWORD)).await;
    let due = app.renewal_due(&c, 10, 250_000).await;
    let b = app.browser();
    b.login(&c.phone, PASSWORD).await;
    let res = b
        .pay(&due, "1", "no-step-up-key-0000001", "wechat", "")
        .await;
    assert!(redirected(&res).ends_with("error=step_up_required"));
    let next = format!("/policies/{}/renew", due.policy_id);
    let res = b
        .post_form("/api/step_up", &[("id_last4", "9999"), ("next", &next)])
        .await;
    assert!(redirected(&res).ends_with("error=step_up_wrong"));
    let res = b
        .post_form("/api/step_up", &[("id_last4", "123x"), ("next", &next)])
        .await;
    assert_eq!(redirected(&res), next);
    assert!(b.page(&next).await.contains("data-testid=\"pay-form\""));
    // Whole policy numbers appear only after a step-up.
    let no: (String,) = sqlx::query_as("SELECT policy_no FROM policies WHERE id = $1")
        .bind(&due.policy_id)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert!(b.page("/policies").await.contains(&no.0));
    // Ten minutes later paying asks again.
    app.clock.advance(11 * 60);
    b.page("/").await;
    let res = b
        .pay(&due, "1", "late-step-up-key-00001", "wechat", "")
        .await;
    assert!(redirected(&res).ends_with("error=step_up_required"));
    assert_eq!(app.gateway.charged().await.unwrap(), (0, 0));
}

#[tokio::test]
async fn webhooks_must_be_signed_and_replays_change_nothing() {
    let app = spawn_app().await;
    let c = app.customer("13900000108", "何平", Some(PASSWORD)).await;
    let due = app.renewal_due(&c, 10, 250_000).await;
    let method = app.saved_method(&c, "tok_twice").await;
    let b = app.browser();
    b.login_and_step_up(&c).await;
    let id = b.pay_saved(&due, "twice-key-000000000001", &method).await;
    assert_eq!(app.settled_state(&id).await, "succeeded");
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM policy_terms WHERE policy_id = $1",
            &due.policy_id
        )
        .await,
        2,
        "the second delivery was a no-op"
    );

    let (gateway_ref,): (String,) =
        sqlx::query_as("SELECT gateway_ref FROM payments WHERE id = $1")
            .bind(&id)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    let customer_id = app.customer_id(&c.phone).await;
    let body = serde_json::json!({"gateway_ref": gateway_ref, "idempotency_key": format!("{customer_id}:twice-key-000000000001"), "status": "succeeded", "failure_code": null}).to_string();
    let http = reqwest::Client::new();
    let forged = http
        .post(format!("{}/webhooks/payments", app.base))
        .header("x-anxin-signature", "00ff")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::BAD_REQUEST);
    let unsigned = http
        .post(format!("{}/webhooks/payments", app.base))
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), StatusCode::BAD_REQUEST);
    let signed =
        app::backend::adapters::payments::sign(&app.state.config.webhook_secret, body.as_bytes());
    let replay = http
        .post(format!("{}/webhooks/payments", app.base))
        .header("x-anxin-signature", signed)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), StatusCode::OK);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM policy_terms WHERE policy_id = $1",
            &due.policy_id
        )
        .await,
        2
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM sms_outbox WHERE category = $1",
            "payment_confirmation"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn reconciliation_settles_a_payment_whose_webhook_never_came() {
    let app = spawn_app().await;
    let c = app.customer("13900000109", "马超", Some(PASSWORD)).await;
    let due = app.renewal_due(&c, 10, 250_000).await;
    let method = app.saved_method(&c, "tok_timeout").await;
    let b = app.browser();
    b.login_and_step_up(&c).await;
    let id = b.pay_saved(&due, "timeout-key-0000000001", &method).await;
    // The page waits for the payment a while, then says it is still being processed
    // (and does not refresh itself).
    let started = std::time::Instant::now();
    let page = b.page(&format!("/payments/{id}")).await;
    assert!(started.elapsed() >= std::time::Duration::from_millis(1_400));
    assert!(page.contains("data-testid=\"payment-pending\""));
    assert!(!page.contains("http-equiv=\"refresh\""));
    assert_eq!(
        app::backend::services::payments::reconcile(&app.state, 120)
            .await
            .unwrap(),
        0,
        "not stale yet"
    );
    // A minute on, the page no longer waits: it answers "still processing" at once.
    app.clock.advance(60);
    let started = std::time::Instant::now();
    assert!(b
        .page(&format!("/payments/{id}"))
        .await
        .contains("data-testid=\"payment-pending\""));
    assert!(started.elapsed() < std::time::Duration::from_millis(1_000));
    app.clock.advance(2 * 60);
    assert_eq!(
        app::backend::services::payments::reconcile(&app.state, 120)
            .await
            .unwrap(),
        1
    );
    assert_eq!(app.settled_state(&id).await, "succeeded");
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM policy_terms WHERE policy_id = $1",
            &due.policy_id
        )
        .await,
        2
    );
    assert_eq!(
        app::backend::services::payments::reconcile(&app.state, 120)
            .await
            .unwrap(),
        0,
        "idempotent"
    );
}

#[tokio::test]
async fn a_key_reused_for_another_offer_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let c = app.customer("13900000110", "郭涛", Some(PASSWORD)).await;
    let first = app.renewal_due(&c, 10, 250_000).await;
    let second = app.renewal_due(&c, 12, 180_000).await;
    let b = app.browser();
    b.login_and_step_up(&c).await;
    payment_id(&redirected(
        &b.pay(&first, "1", "reused-key-00000000001", "wechat", "")
            .await,
    ));
    let res = b
        .pay(&second, "1", "reused-key-00000000001", "wechat", "")
        .await;
    let back = redirected(&res);
    assert_eq!(
        back,
        format!("/policies/{}/renew?error=key_reused", second.policy_id)
    );
    assert!(b.page(&back).await.contains("form-error"));
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM payments WHERE offer_id = $1",
            &second.offer_id
        )
        .await,
        0
    );
}

#[tokio::test]
async fn auto_debit_is_off_until_chosen_and_off_again_in_one_tap() {
    let app = spawn_app().await;
    let c = app.customer("13900000111", "胡娟", Some(PASSWORD)).await;
    let due = app.renewal_due(&c, 10, 250_000).await;
    let b = app.browser();
    b.login(&c.phone, PASSWORD).await;
    let page = b.page(&format!("/policies/{}", due.policy_id)).await;
    assert!(
        page.contains("name=\"enable\" value=\"on\" required"),
        "an unticked box"
    );
    assert!(!page.contains("checked"), "never pre-ticked");
    // Without ticking the box nothing changes.
    let res = b
        .post_form(
            "/api/set_auto_debit",
            &[("policy_id", &due.policy_id), ("enable", "")],
        )
        .await;
    assert!(redirected(&res).contains("auto_debit_off"));
    assert_eq!(
        app.count(
            "SELECT auto_debit FROM policies WHERE id = $1",
            &due.policy_id
        )
        .await,
        0
    );
    let res = b
        .post_form(
            "/api/set_auto_debit",
            &[("policy_id", &due.policy_id), ("enable", "on")],
        )
        .await;
    assert!(redirected(&res).contains("auto_debit_on"));
    assert!(b
        .page(&format!("/policies/{}", due.policy_id))
        .await
        .contains("data-testid=\"auto-debit-on\""));
    b.post_form(
        "/api/set_auto_debit",
        &[("policy_id", &due.policy_id), ("enable", "off")],
    )
    .await;
    assert_eq!(
        app.count(
            "SELECT auto_debit FROM policies WHERE id = $1",
            &due.policy_id
        )
        .await,
        0
    );
}

#[tokio::test]
async fn anyone_can_verify_an_e_policy_without_seeing_personal_data() {
    let app = spawn_app().await;
    let c = app.customer("13900000112", "罗建华", Some(PASSWORD)).await;
    let due = app.renewal_due(&c, 10, 250_000).await;
    let b = app.browser();
    b.login(&c.phone, PASSWORD).await;
    let doc = b
        .page(&format!("/policies/{}/document", due.policy_id))
        .await;
    assert!(
        doc.contains("data-testid=\"verify-qr\"") && doc.contains("<svg"),
        "a QR code to scan"
    );
    let after = doc
        .split("data-testid=\"verification-code\"")
        .nth(1)
        .expect("a verification code");
    let code = after
        .split('>')
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_owned();
    let anonymous = app.browser();
    let page = anonymous
        .page(&format!("/verify?code={}", code.to_lowercase()))
        .await;
    assert!(page.contains("真实保单") && page.contains("目前在保障期内"));
    assert!(
        !page.contains("罗建华") && !page.contains("沪A·K5678") && !page.contains("13900000112")
    );
    let page = anonymous.page("/verify?code=NOSUCHCODE123").await;
    assert!(page.contains("没有找到"));
}

#[tokio::test]
async fn the_e_policy_shows_the_whole_number_after_the_identity_check() {
    let app = spawn_app().await;
    let c = app.customer("13900000114", "秦岚", Some(PASSWORD)).await;
    let due = app.renewal_due(&c, 10, 250_000).await;
    let (number,): (String,) = sqlx::query_as("SELECT policy_no FROM policies WHERE id = $1")
        .bind(&due.policy_id)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    let b = app.browser();
    b.login(&c.phone, PASSWORD).await;
    let path = format!("/policies/{}/document", due.policy_id);
    let doc = b.page(&path).await;
    assert!(!doc.contains(&number), "masked until the check");
    assert!(doc.contains("data-testid=\"reveal-number\""));
    // A wrong answer comes back to the document with the field marked.
    let res = b
        .post_form("/api/step_up", &[("id_last4", "0000"), ("next", &path)])
        .await;
    let back = redirected(&res);
    assert!(back.starts_with(&format!("{path}?error=")), "{back}");
    assert!(b.page(&back).await.contains("aria-invalid=\"true\""));
    let res = b
        .post_form(
            "/api/step_up",
            &[("id_last4", &c.id_last4), ("next", &path)],
        )
        .await;
    assert_eq!(redirected(&res), path);
    let doc = b.page(&path).await;
    assert!(doc.contains(&number), "whole number, ready to print");
    assert!(!doc.contains("data-testid=\"reveal-number\""));
    // Only just after the check: ten minutes on, masked again.
    app.clock.advance(11 * 60);
    let doc = b.page(&path).await;
    assert!(!doc.contains(&number) && doc.contains("data-testid=\"reveal-number\""));
}

#[tokio::test]
async fn renewal_opens_thirty_days_before_cover_ends_once_even_when_two_instances_race() {
    use app::backend::services::renewal_offers::open_due_offers;
    let app = spawn_app().await;
    let c = app.customer("13900000113", "高明", Some(PASSWORD)).await;
    let due = app.renewal_due(&c, 20, 300_000).await;
    // Take the prepared offer away: this policy now has none, like a real one entering the window.
    sqlx::query("DELETE FROM renewal_price_items WHERE offer_id = $1")
        .bind(&due.offer_id)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    sqlx::query("DELETE FROM renewal_offers WHERE id = $1")
        .bind(&due.offer_id)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    // The fixture's other policy ends on 2026-12-31: outside the window unless today is close.
    let (a, b) = tokio::join!(open_due_offers(&app.state), open_due_offers(&app.state));
    let opened = a.unwrap() + b.unwrap();
    assert!(opened >= 1);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM renewal_offers WHERE policy_id = $1",
            &due.policy_id
        )
        .await,
        1
    );
    assert_eq!(
        open_due_offers(&app.state).await.unwrap(),
        0,
        "nothing new to open"
    );
    let (offer_id, premium, previous, term_start): (String, i64, i64, String) = sqlx::query_as(
        "SELECT id, premium_fen, previous_premium_fen, term_start FROM renewal_offers WHERE policy_id = $1",
    )
    .bind(&due.policy_id).fetch_one(&app.state.db.pool).await.unwrap();
    assert_eq!(term_start, due.new_start);
    let (sum,): (Option<i64>,) = sqlx::query_as(
        "SELECT CAST(SUM(amount_fen) AS BIGINT) FROM renewal_price_items WHERE offer_id = $1",
    )
    .bind(&offer_id)
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    assert_eq!(
        previous + sum.unwrap_or(0),
        premium,
        "the items explain the whole difference"
    );
    let b = app.browser();
    b.login(&c.phone, PASSWORD).await;
    assert!(b
        .page(&format!("/policies/{}/renew", due.policy_id))
        .await
        .contains("无赔款优待"));
}

#[tokio::test]
async fn a_texted_code_is_the_other_way_to_step_up() {
    let app = spawn_app().await;
    let c = app.customer("13900000114", "短信", Some(PASSWORD)).await;
    let due = app.renewal_due(&c, 10, 250_000).await;
    let b = app.browser();
    b.login(&c.phone, PASSWORD).await;
    let next = format!("/policies/{}/renew", due.policy_id);
    let to = redirected(
        &b.post_form("/api/step_up_send_code", &[("next", &next)])
            .await,
    );
    assert!(to.starts_with(&format!("{next}?sc=")), "{to}");
    let sc = to.split("sc=").nth(1).unwrap().to_owned();
    let sms = app.last_code(&c.phone).await;
    // A wrong code comes back to the code form, with the code field marked.
    let wrong = if sms == "000000" { "111111" } else { "000000" };
    let res = b
        .post_form(
            "/api/step_up_with_code",
            &[("sc", &sc), ("sms", wrong), ("next", &next)],
        )
        .await;
    let back = redirected(&res);
    assert_eq!(back, format!("{next}?sc={sc}&error=step_up_wrong"));
    let page = b.page(&back).await;
    let field = page
        .split("id=\"sms\"")
        .nth(1)
        .expect("the code field")
        .split('>')
        .next()
        .unwrap()
        .to_owned();
    assert!(field.contains("aria-invalid=\"true\""), "{field}");
    let res = b
        .post_form(
            "/api/step_up_with_code",
            &[("sc", &sc), ("sms", &sms), ("next", &next)],
        )
        .await;
    assert_eq!(redirected(&res), next);
    assert!(b.page(&next).await.contains("data-testid=\"pay-form\""));
    // A code sent to someone else's phone does not step this customer up.
    let other = app.customer("13900000115", "别人", Some(PASSWORD)).await;
    let ob = app.browser();
    ob.login(&other.phone, PASSWORD).await;
    let to = redirected(
        &ob.post_form("/api/step_up_send_code", &[("next", "/policies")])
            .await,
    );
    let other_sc = to.split("sc=").nth(1).unwrap().to_owned();
    let other_sms = app.last_code(&other.phone).await;
    let c2 = app.browser();
    c2.login(&c.phone, PASSWORD).await;
    let res = c2
        .post_form(
            "/api/step_up_with_code",
            &[("sc", &other_sc), ("sms", &other_sms), ("next", &next)],
        )
        .await;
    assert!(redirected(&res).ends_with("error=step_up_wrong"));
}

#[tokio::test]
async fn auto_debit_pays_a_due_renewal_once_and_only_for_policies_that_chose_it() {
    use app::backend::services::payments::auto_debit_due;
    let app = spawn_app().await;
    let c = app.customer("13900000116", "自动", Some(PASSWORD)).await;
    app.saved_method(&c, "tok_ok").await;
    let chosen = app.renewal_due(&c, 1, 250_000).await;
    let not_chosen = app.renewal_due(&c, 1, 150_000).await;
    let later = app.renewal_due(&c, 20, 180_000).await;
    for due in [&chosen, &later] {
        sqlx::query("UPDATE policies SET auto_debit = 1 WHERE id = $1")
            .bind(&due.policy_id)
            .execute(&app.state.db.pool)
            .await
            .unwrap();
    }
    let (a, b) = tokio::join!(auto_debit_due(&app.state), auto_debit_due(&app.state));
    let started = a.unwrap() + b.unwrap();
    // The second run either finds the first one's payment (same key) or sees none left to do.
    assert!((1..=2).contains(&started), "{started}");
    let (id,): (String,) = sqlx::query_as("SELECT id FROM payments WHERE offer_id = $1")
        .bind(&chosen.offer_id)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(app.settled_state(&id).await, "succeeded");
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM policy_terms WHERE policy_id = $1",
            &chosen.policy_id
        )
        .await,
        2
    );
    assert_eq!(
        auto_debit_due(&app.state).await.unwrap(),
        0,
        "nothing left to charge"
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM payments WHERE offer_id = $1",
            &not_chosen.offer_id
        )
        .await,
        0,
        "no mandate, no charge"
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM payments WHERE offer_id = $1",
            &later.offer_id
        )
        .await,
        0,
        "not due yet"
    );
    assert_eq!(
        app.gateway.charged().await.unwrap(),
        (1, chosen.premium_fen)
    );
}

async fn payment_state(app: &TestApp, id: &str) -> String {
    let (state,): (String,) = sqlx::query_as("SELECT state FROM payments WHERE id = $1")
        .bind(id)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    state
}

#[tokio::test]
async fn a_payment_the_provider_never_confirms_expires_and_the_offer_is_paid_again_once() {
    use app::backend::services::payments::reconcile;
    let app = spawn_app().await;
    let c = app.customer("13900000117", "钱进", Some(PASSWORD)).await;
    let due = app.renewal_due(&c, 10, 250_000).await;
    let method = app.saved_method(&c, "tok_pending").await;
    let b = app.browser();
    b.login_and_step_up(&c).await;
    let stuck = b.pay_saved(&due, "stuck-key-000000000001", &method).await;
    // Ten minutes on the provider still says pending: it is left alone, and it still
    // holds the offer (another tap shows it rather than charging again).
    app.clock.advance(10 * 60);
    assert_eq!(reconcile(&app.state, 120).await.unwrap(), 0);
    assert_eq!(payment_state(&app, &stuck).await, "pending");
    let again = b
        .pay(&due, "1", "second-key-00000000001", "wechat", "")
        .await;
    assert_eq!(payment_id(&redirected(&again)), stuck);

    // Past its deadline it is closed at the provider (no money can move any more), then
    // expires, once.
    app.clock.advance(21 * 60);
    assert_eq!(reconcile(&app.state, 120).await.unwrap(), 1);
    assert_eq!(payment_state(&app, &stuck).await, "expired");
    assert_eq!(
        app.gateway.charged().await.unwrap(),
        (0, 0),
        "the pending charge was cancelled"
    );
    assert_eq!(reconcile(&app.state, 120).await.unwrap(), 0, "once");
    assert!(b
        .page(&format!("/payments/{stuck}"))
        .await
        .contains("data-testid=\"payment-failed\""));
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM policy_terms WHERE policy_id = $1",
            &due.policy_id
        )
        .await,
        1,
        "an expired payment renews nothing"
    );

    // The offer is free again: the renewal page offers to pay, and paying works.
    let next = format!("/policies/{}/renew", due.policy_id);
    let res = b
        .post_form(
            "/api/step_up",
            &[("id_last4", &c.id_last4), ("next", &next)],
        )
        .await;
    assert_eq!(redirected(&res), next);
    assert!(b.page(&next).await.contains("data-testid=\"pay-form\""));
    let paid = payment_id(&redirected(
        &b.pay(&due, "1", "retry-key-000000000001", "wechat", "")
            .await,
    ));
    assert_ne!(paid, stuck);
    assert_eq!(app.settled_state(&paid).await, "succeeded");
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM policy_terms WHERE policy_id = $1",
            &due.policy_id
        )
        .await,
        2
    );
    assert_eq!(
        app.gateway.charged().await.unwrap(),
        (1, due.premium_fen),
        "charged once"
    );
}

#[tokio::test]
async fn a_charge_the_provider_confirms_only_after_the_deadline_is_paid_not_expired() {
    use app::backend::services::payments::reconcile;
    let app = spawn_app().await;
    let c = app.customer("13900000118", "孔明", Some(PASSWORD)).await;
    let due = app.renewal_due(&c, 10, 250_000).await;
    // The provider never calls back, but answers "succeeded" when asked.
    let method = app.saved_method(&c, "tok_timeout").await;
    let b = app.browser();
    b.login_and_step_up(&c).await;
    let id = b.pay_saved(&due, "late-key-0000000000001", &method).await;
    // Nobody reconciled in time (every instance was down for 45 minutes).
    app.clock.advance(45 * 60);
    assert_eq!(reconcile(&app.state, 120).await.unwrap(), 1);
    assert_eq!(payment_state(&app, &id).await, "succeeded");
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM policy_terms WHERE policy_id = $1",
            &due.policy_id
        )
        .await,
        2
    );
    assert_eq!(app.gateway.charged().await.unwrap(), (1, due.premium_fen));
}

#[tokio::test]
async fn a_charge_that_never_reached_the_provider_is_not_resubmitted_past_its_deadline() {
    use app::backend::services::payments::reconcile;
    use app::backend::store::payments;
    let app = spawn_app().await;
    let c = app.customer("13900000119", "曹操", Some(PASSWORD)).await;
    let due = app.renewal_due(&c, 10, 250_000).await;
    let customer_id = app.customer_id(&c.phone).await;
    // A key claimed, then the instance died before the gateway heard of it.
    let id = app::backend::ids::new_id();
    let claimed = payments::claim(
        &app.state.db.pool,
        payments::NewPayment {
            id: &id,
            customer_id: &customer_id,
            offer_id: &due.offer_id,
            policy_id: &due.policy_id,
            idempotency_key: "orphan-key-0000000001",
            fingerprint: "-",
            amount_fen: due.premium_fen,
            method: "wechat",
            method_token: "tok_wechat",
            now: app.clock.now(),
        },
    )
    .await
    .unwrap();
    assert!(claimed);
    app.clock.advance(31 * 60);
    assert_eq!(reconcile(&app.state, 120).await.unwrap(), 1);
    assert_eq!(payment_state(&app, &id).await, "expired");
    assert_eq!(
        app.gateway.charged().await.unwrap(),
        (0, 0),
        "a charge this late would be given up at once: it is never started"
    );
}
