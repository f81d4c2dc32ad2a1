//! The phone journey: a reminder SMS with a short link, a light check, pay, done.

use crate::helpers::*;
use app::backend::services::reminders::queue_renewal_reminders;
use app::backend::store::Engine;
use reqwest::StatusCode;

async fn reminder_link(app: &TestApp, phone: &str) -> (String, String) {
    let body = app.last_sms(phone).await.expect("a reminder");
    let start = body.find("/s/").expect("a short link");
    let code: String = body[start + 3..]
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect();
    (body, code)
}

#[tokio::test]
async fn a_reminder_link_lands_on_one_renewal_and_a_light_check_lets_the_person_pay_it() {
    let app = spawn_app().await;
    let c = app.customer("13900000301", "林晓燕", Some(PASSWORD)).await;
    let due = app.renewal_due(&c, 20, 300_000).await;
    let other = app.renewal_due(&c, 25, 200_000).await;
    assert_eq!(queue_renewal_reminders(&app.state).await.unwrap(), 2);
    assert_eq!(
        queue_renewal_reminders(&app.state).await.unwrap(),
        0,
        "once per offer and step"
    );
    let (body, code) = reminder_link(&app, &c.phone).await;
    assert!(code.len() >= 10);
    assert!(
        body.contains("尊敬的林晓燕") && body.contains("回T退订") && body.contains("续保保费¥"),
        "{body}"
    );

    // Opening the link (an SMS app previewing it, twice) changes nothing and logs nobody in.
    let phone = app.browser();
    for _ in 0..2 {
        let res = phone.get(&format!("/s/{code}")).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert!(session_cookie(&res).is_none());
        let page = res.text().await.unwrap();
        assert!(page.contains("续保提醒") && page.contains("PA****"));
        assert!(
            !page.contains("林晓燕"),
            "nothing personal before the check"
        );
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM sessions WHERE kind = $1", "link")
            .await,
        0
    );

    let res = phone
        .post_form("/api/check_link", &[("code", &code), ("id_last4", "0000")])
        .await;
    assert_eq!(
        redirected(&res),
        format!("/s/{code}?error=link_wrong&left=4")
    );
    let res = phone
        .post_form(
            "/api/check_link",
            &[("code", &code), ("id_last4", &c.id_last4)],
        )
        .await;
    let target = redirected(&res);
    assert!(session_cookie(&res).is_some());
    let page = phone.page(&target).await;
    assert!(
        page.contains("data-testid=\"pay-form\""),
        "the check counts as a step-up"
    );

    // Which policy the link is for (the newest SMS may be either reminder).
    let (linked, unlinked) = if target.contains(&due.policy_id) {
        (&due, &other)
    } else {
        (&other, &due)
    };
    // The session serves this renewal and nothing else.
    assert_eq!(redirected(&phone.get("/").await), "/login");
    assert_eq!(
        redirected(&phone.get("/policies").await),
        "/login?next=/policies"
    );
    let detail = format!("/policies/{}", linked.policy_id);
    assert_eq!(
        redirected(&phone.get(&detail).await),
        format!("/login?next={detail}")
    );
    assert_eq!(
        phone
            .get(&format!("/policies/{}/renew", unlinked.policy_id))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    // Paying the other one changes nothing and lands on that (404) page.
    assert_eq!(
        redirected(
            &phone
                .pay(unlinked, "1", "link-other-key-00000001", "wechat", "")
                .await
        ),
        format!("/policies/{}/renew", unlinked.policy_id)
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM payments WHERE offer_id = $1",
            &unlinked.offer_id
        )
        .await,
        0
    );

    let res = phone
        .pay(linked, "1", "link-pay-key-0000000001", "wechat", "")
        .await;
    let payment = redirected(&res);
    app.settled_state(payment.trim_start_matches("/payments/"))
        .await;
    assert!(phone
        .page(&payment)
        .await
        .contains("data-testid=\"receipt\""));

    // Fifteen minutes later the link session is over.
    app.clock.advance(16 * 60);
    let res = phone.get(&target).await;
    assert!(redirected(&res).starts_with("/login"));
}

#[tokio::test]
async fn five_wrong_answers_lock_a_link_for_thirty_minutes() {
    let app = spawn_app().await;
    let c = app.customer("13900000302", "王伟", Some(PASSWORD)).await;
    app.renewal_due(&c, 20, 300_000).await;
    queue_renewal_reminders(&app.state).await.unwrap();
    let (_, code) = reminder_link(&app, &c.phone).await;
    let b = app.browser();
    for _ in 0..5 {
        b.post_form("/api/check_link", &[("code", &code), ("id_last4", "0000")])
            .await;
    }
    let res = b
        .post_form(
            "/api/check_link",
            &[("code", &code), ("id_last4", &c.id_last4)],
        )
        .await;
    assert!(redirected(&res).contains("error=link_locked"));
    assert!(session_cookie(&res).is_none());
    assert!(b.page(&format!("/s/{code}")).await.contains("已暂时锁定"));
    app.clock.advance(31 * 60);
    let res = b
        .post_form(
            "/api/check_link",
            &[("code", &code), ("id_last4", &c.id_last4)],
        )
        .await;
    assert!(redirected(&res).ends_with("/renew"));
}

#[tokio::test]
async fn unknown_and_expired_links_get_the_same_friendly_page() {
    let app = spawn_app().await;
    let c = app.customer("13900000303", "赵敏", Some(PASSWORD)).await;
    app.renewal_due(&c, 2, 300_000).await;
    queue_renewal_reminders(&app.state).await.unwrap();
    let (_, code) = reminder_link(&app, &c.phone).await;
    let b = app.browser();
    let unknown = b.get("/s/AbCdEfGhIjKl").await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let unknown = unknown.text().await.unwrap();
    app.clock.advance(4 * 86_400);
    let expired = b.get(&format!("/s/{code}")).await;
    assert_eq!(expired.status(), StatusCode::NOT_FOUND);
    let expired = expired.text().await.unwrap();
    assert!(expired.contains("链接已失效") && expired.contains("href=\"/login\""));
    let strip = |s: &str| s.replace(&code, "").replace("AbCdEfGhIjKl", "");
    assert_eq!(
        strip(&unknown).len(),
        strip(&expired).len(),
        "no hint whether the code existed"
    );
}

#[tokio::test]
async fn reminders_go_at_thirty_seven_and_one_days_and_auto_debit_gets_a_notice() {
    let app = spawn_app().await;
    let c = app.customer("13900000304", "刘洋", Some(PASSWORD)).await;
    let due = app.renewal_due(&c, 20, 300_000).await;
    assert_eq!(queue_renewal_reminders(&app.state).await.unwrap(), 1);
    app.clock.advance(14 * 86_400); // 6 days left
    assert_eq!(queue_renewal_reminders(&app.state).await.unwrap(), 1);
    assert_eq!(queue_renewal_reminders(&app.state).await.unwrap(), 0);
    sqlx::query("UPDATE policies SET auto_debit = 1 WHERE id = $1")
        .bind(&due.policy_id)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    app.clock.advance(5 * 86_400); // 1 day left
    assert_eq!(queue_renewal_reminders(&app.state).await.unwrap(), 1);
    let last = app.last_sms(&c.phone).await.unwrap();
    assert!(last.contains("自动续保"), "{last}");
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM sms_outbox WHERE category = $1",
            "renewal_reminder"
        )
        .await,
        3
    );
}

#[tokio::test]
async fn two_processes_queue_each_reminder_once() {
    let url = fresh_database().await;
    let app = spawn_app_on(&url).await;
    for i in 0..5u64 {
        let c = app
            .customer(&format!("1390000031{i}"), "并发", Some(PASSWORD))
            .await;
        app.renewal_due(&c, 10 + i, 200_000).await;
    }
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_anxin"))
            .args(["run-job", "reminders"])
            .env("DATABASE_URL", &url)
            .env("ANXIN_DEMO", "0")
            .output()
    };
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(run);
        let b = s.spawn(run);
        (a.join().unwrap().unwrap(), b.join().unwrap().unwrap())
    });
    assert!(
        a.status.success() && b.status.success(),
        "{}",
        String::from_utf8_lossy(&b.stderr)
    );
    let queued: i64 = [a, b]
        .iter()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .trim()
                .parse::<i64>()
                .unwrap()
        })
        .sum();
    assert_eq!(queued, 5);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM sms_outbox WHERE category = $1",
            "renewal_reminder"
        )
        .await,
        5
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM short_links WHERE purpose = $1",
            "renewal"
        )
        .await,
        5,
        "no orphan links"
    );
}

#[tokio::test]
async fn a_code_texted_to_the_phone_on_file_also_passes_the_link_check() {
    let app = spawn_app().await;
    let c = app.customer("13900000305", "忘证号", Some(PASSWORD)).await;
    app.renewal_due(&c, 20, 300_000).await;
    queue_renewal_reminders(&app.state).await.unwrap();
    let (_, code) = reminder_link(&app, &c.phone).await;
    let b = app.browser();
    let to = redirected(&b.post_form("/api/send_link_code", &[("code", &code)]).await);
    assert!(to.starts_with(&format!("/s/{code}?sc=")), "{to}");
    let sc = to.split("sc=").nth(1).unwrap().to_owned();
    assert!(b.page(&to).await.contains("data-testid=\"sms-check-form\""));
    let sms = app.last_code(&c.phone).await;
    let wrong = if sms == "000000" { "111111" } else { "000000" };
    let res = b
        .post_form(
            "/api/check_link_code",
            &[("code", &code), ("sc", &sc), ("sms", wrong)],
        )
        .await;
    assert!(redirected(&res).contains("error=link_wrong&left=4"));
    let res = b
        .post_form(
            "/api/check_link_code",
            &[("code", &code), ("sc", &sc), ("sms", &sms)],
        )
        .await;
    assert!(redirected(&res).ends_with("/renew"));
    assert!(session_cookie(&res).is_some());
}

#[tokio::test]
async fn no_reminder_for_a_renewal_already_being_paid() {
    let app = spawn_app().await;
    let c = app.customer("13900000306", "已付款", Some(PASSWORD)).await;
    let due = app.renewal_due(&c, 20, 300_000).await;
    let b = app.browser();
    b.login_and_step_up(&c).await;
    let res = b
        .pay(&due, "1", "paid-before-reminder-01", "wechat", "")
        .await;
    app.settled_state(redirected(&res).trim_start_matches("/payments/"))
        .await;
    assert_eq!(queue_renewal_reminders(&app.state).await.unwrap(), 0);
}

#[tokio::test]
async fn a_second_reminder_run_only_reads() {
    let app = spawn_app().await;
    let c = app.customer("13900000307", "再提醒", Some(PASSWORD)).await;
    app.renewal_due(&c, 20, 300_000).await;
    app.renewal_due(&c, 5, 200_000).await;
    assert_eq!(queue_renewal_reminders(&app.state).await.unwrap(), 2);
    let links = "SELECT COUNT(*) FROM short_links WHERE purpose = $1";
    let links_before = app.count(links, "renewal").await;

    // Another writer holds the tables the job would write to: reads go on, writes wait.
    // A run that opened a write transaction for an offer already reminded would hang here.
    let mut writer = app.state.db.pool.begin().await.unwrap();
    let hold = match app.state.db.engine {
        // SQLite has one writer: any write takes the lock for the whole database.
        Engine::Sqlite => "UPDATE short_links SET failed_checks = failed_checks",
        Engine::Postgres => "LOCK TABLE short_links, sms_outbox IN SHARE MODE",
    };
    sqlx::query(hold).execute(&mut *writer).await.unwrap();
    let second = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        queue_renewal_reminders(&app.state),
    )
    .await
    .expect("the second run waited for a write lock");
    writer.rollback().await.unwrap();

    assert_eq!(second.unwrap(), 0);
    assert_eq!(app.count(links, "renewal").await, links_before);
    assert_eq!(app.sms_count(&c.phone).await, 2);
}
