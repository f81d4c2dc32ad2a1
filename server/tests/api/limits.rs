//! Limits that hold under a burst: every attempt is claimed in the database before a
//! secret is compared, so 40 parallel guesses get at most the limit's worth of answers.

use crate::helpers::*;
use app::backend::services::reminders::queue_renewal_reminders;
use futures::future::join_all;

const BURST: usize = 40;

/// Sends `BURST` copies of one form post at once and returns where each was sent.
async fn burst(b: &Browser, path: &str, form: &[(&str, &str)]) -> Vec<String> {
    let posts = (0..BURST).map(|_| b.post_form(path, form));
    join_all(posts).await.iter().map(redirected).collect()
}

fn count(answers: &[String], code: &str) -> usize {
    answers
        .iter()
        .filter(|a| a.contains(&format!("error={code}")))
        .count()
}

#[tokio::test]
async fn forty_parallel_wrong_passwords_check_at_most_five() {
    let app = spawn_app().await;
    let c = app.customer("13900000901", "林晓燕", Some(PASSWORD)).await;
    let b = app.browser();
    let answers = burst(
        &b,
        "/api/login",
        &[
            ("phone", &c.phone),
            ("password", "Wrong-Guess-0001"),
            ("next", "/"),
        ],
    )
    .await;
    let checked = count(&answers, "bad_credentials");
    assert!(checked <= 5, "{checked} passwords checked: {answers:?}");
    assert_eq!(checked + count(&answers, "locked"), BURST, "{answers:?}");
    assert!(
        app.count(
            "SELECT COUNT(*) FROM login_attempts WHERE realm = 'customer' AND subject = $1",
            &c.phone
        )
        .await
            <= 5
    );
    // Locked for the right password too, until 15 minutes have passed.
    assert!(redirected(&b.login(&c.phone, PASSWORD).await).contains("error=locked"));
    app.clock.advance(16 * 60);
    assert_eq!(redirected(&b.login(&c.phone, PASSWORD).await), "/");
}

#[tokio::test]
async fn forty_parallel_wrong_staff_passwords_check_at_most_five() {
    let app = spawn_app().await;
    app.staff("agent.burst", app::model::StaffRole::Agent).await;
    let b = app.browser();
    let answers = burst(
        &b,
        "/api/staff_login",
        &[
            ("username", "agent.burst"),
            ("password", "Wrong-Guess-0001"),
        ],
    )
    .await;
    let checked = count(&answers, "staff_bad_credentials");
    assert!(checked <= 5, "{checked} checked: {answers:?}");
    assert_eq!(checked + count(&answers, "locked"), BURST, "{answers:?}");
}

#[tokio::test]
async fn forty_parallel_wrong_step_up_digits_check_at_most_five() {
    let app = spawn_app().await;
    let c = app.customer("13900000902", "王伟", Some(PASSWORD)).await;
    let b = app.browser();
    assert_eq!(redirected(&b.login(&c.phone, PASSWORD).await), "/");
    let answers = burst(
        &b,
        "/api/step_up",
        &[("id_last4", "0000"), ("next", "/policies")],
    )
    .await;
    let checked = count(&answers, "step_up_wrong");
    assert!(checked <= 5, "{checked} checked: {answers:?}");
    assert_eq!(checked + count(&answers, "locked"), BURST, "{answers:?}");
}

#[tokio::test]
async fn forty_parallel_wrong_activations_check_at_most_five() {
    let app = spawn_app().await;
    let c = app.customer("13900000903", "张磊", None).await;
    let b = app.browser();
    let answers = burst(
        &b,
        "/api/start_activation",
        &[("policy_no", &c.policy_no), ("id_last4", "0000")],
    )
    .await;
    let checked = count(&answers, "no_match");
    assert!(checked <= 5, "{checked} checked: {answers:?}");
    assert_eq!(checked + count(&answers, "locked"), BURST, "{answers:?}");
}

#[tokio::test]
async fn forty_parallel_wrong_link_answers_check_at_most_five() {
    let app = spawn_app().await;
    let c = app.customer("13900000904", "赵敏", Some(PASSWORD)).await;
    app.renewal_due(&c, 20, 300_000).await;
    queue_renewal_reminders(&app.state).await.unwrap();
    let code = app.newest_link_code(&c.phone).await;
    assert_eq!(code.len(), 22, "about 131 bits");
    let b = app.browser();
    let answers = burst(
        &b,
        "/api/check_link",
        &[("code", &code), ("id_last4", "0000")],
    )
    .await;
    let wrong = count(&answers, "link_wrong");
    assert!(wrong <= 5, "{answers:?}");
    assert_eq!(wrong + count(&answers, "link_locked"), BURST, "{answers:?}");
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'short_link.check_failed' AND customer_id = $1",
            &app.customer_id(&c.phone).await
        )
        .await,
        5,
        "exactly five answers were compared"
    );
}

#[tokio::test]
async fn forty_parallel_code_requests_send_one_code() {
    let app = spawn_app().await;
    let c = app.customer("13900000905", "孙丽", Some(PASSWORD)).await;
    let b = app.browser();
    let answers = burst(&b, "/api/request_login_code", &[("phone", &c.phone)]).await;
    assert_eq!(count(&answers, "too_soon"), BURST - 1, "{answers:?}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM sms_codes WHERE phone = $1", &c.phone)
            .await,
        1
    );
    assert_eq!(app.sms_count(&c.phone).await, 1);
}

#[tokio::test]
async fn a_phone_gets_five_codes_an_hour_whether_or_not_it_is_a_customer() {
    let app = spawn_app().await;
    let c = app.customer("13900000906", "周杰", Some(PASSWORD)).await;
    let b = app.browser();
    for phone in [c.phone.as_str(), "13900000999"] {
        let mut answers = vec![];
        for _ in 0..6 {
            let res = b
                .post_form("/api/request_login_code", &[("phone", phone)])
                .await;
            answers.push(redirected(&res));
            app.clock.advance(61);
        }
        assert!(
            answers[..5].iter().all(|a| a.starts_with("/login/code?c=")),
            "{answers:?}"
        );
        assert!(answers[5].contains("error=codes_limited"), "{answers:?}");
    }
    assert_eq!(app.sms_count(&c.phone).await, 5);
    assert_eq!(
        app.sms_count("13900000999").await,
        0,
        "unknown phones get no SMS"
    );
    let page = b
        .page("/login/code?error=codes_limited&until=1700000000")
        .await;
    assert!(page.contains("验证码过多"), "told why, in Chinese");
}

#[tokio::test]
async fn one_address_asks_for_twenty_codes_an_hour_at_most() {
    let app = spawn_app().await;
    let b = app.browser();
    let mut refused = 0;
    for i in 0..25 {
        let phone = format!("1390000{:04}", 5000 + i);
        let res = b
            .post_form("/api/request_login_code", &[("phone", &phone)])
            .await;
        if redirected(&res).contains("error=codes_limited") {
            refused += 1;
        }
    }
    assert_eq!(refused, 5);
}

#[tokio::test]
async fn failures_across_many_phones_from_one_address_are_throttled_before_hashing() {
    let app = spawn_app().await;
    let b = app.browser();
    let posts = (0..BURST).map(|i| {
        let phone = format!("1390000{:04}", 6000 + i);
        let b = &b;
        async move {
            let res = b
                .post_form(
                    "/api/login",
                    &[
                        ("phone", &phone),
                        ("password", "Wrong-Guess-0001"),
                        ("next", "/"),
                    ],
                )
                .await;
            redirected(&res)
        }
    });
    let answers = join_all(posts).await;
    let checked = count(&answers, "bad_credentials");
    assert!(checked <= 20, "{checked} checked: {answers:?}");
    assert_eq!(checked + count(&answers, "throttled"), BURST, "{answers:?}");
}

#[tokio::test]
async fn a_right_password_gives_the_address_its_attempt_back() {
    let app = spawn_app().await;
    let c = app.customer("13900000907", "吴勇", Some(PASSWORD)).await;
    let b = app.browser();
    // Many people behind one office address log in all day without being throttled.
    for _ in 0..30 {
        assert_eq!(redirected(&b.login(&c.phone, PASSWORD).await), "/");
    }
}

#[tokio::test]
async fn one_time_codes_are_never_shown_on_a_page() {
    let app = spawn_app().await;
    let c = app.customer("13900000908", "郑洁", Some(PASSWORD)).await;
    app.staff("super.codes", app::model::StaffRole::Supervisor)
        .await;
    let b = app.browser();
    assert_eq!(redirected(&b.login(&c.phone, PASSWORD).await), "/");
    let res = b
        .post_form("/api/step_up_send_code", &[("next", "/policies")])
        .await;
    assert!(redirected(&res).contains("sc="));
    let code = app.last_code(&c.phone).await;

    let mine = b.page("/settings/notifications").await;
    assert!(
        !mine.contains(&code),
        "the person's own SMS history hides the code"
    );
    assert!(mine.contains("******"));

    let staff = app.browser();
    assert_eq!(
        redirected(&staff.staff_login("super.codes", PASSWORD).await),
        "/staff"
    );
    let outbox = staff.page("/staff/outbox").await;
    assert!(
        !outbox.contains(&code),
        "supervisors never read a live code"
    );
    assert!(outbox.contains("******"));

    // Once sent, the database keeps only the starred-out text.
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM sms_outbox WHERE phone = $1 AND secret_body IS NOT NULL",
            &c.phone
        )
        .await,
        0
    );
}

#[tokio::test]
async fn activation_says_the_same_for_an_active_account_whatever_the_digits() {
    let app = spawn_app().await;
    let c = app.customer("13900000909", "冯涛", Some(PASSWORD)).await;
    let b = app.browser();
    let right = b
        .post_form(
            "/api/start_activation",
            &[("policy_no", &c.policy_no), ("id_last4", &c.id_last4)],
        )
        .await;
    let wrong = b
        .post_form(
            "/api/start_activation",
            &[("policy_no", &c.policy_no), ("id_last4", "0000")],
        )
        .await;
    assert_eq!(redirected(&right), redirected(&wrong));
    assert_eq!(app.sms_count(&c.phone).await, 0);
    // Nor does the lock tell: right digits for an active account count as failures.
    let c2 = app.customer("13900000910", "陈静", Some(PASSWORD)).await;
    let mut answers = vec![];
    for _ in 0..6 {
        let res = b
            .post_form(
                "/api/start_activation",
                &[("policy_no", &c2.policy_no), ("id_last4", &c2.id_last4)],
            )
            .await;
        answers.push(redirected(&res));
    }
    assert!(answers[5].contains("error=locked"), "{answers:?}");
}

#[tokio::test]
async fn crafted_times_in_a_url_never_break_a_page() {
    let app = spawn_app().await;
    let b = app.browser();
    for until in [
        "99999999999999999",
        "-9223372036854775808",
        "9223372036854775807",
        "abc",
        "",
        "1e9",
    ] {
        for code in [
            "locked",
            "throttled",
            "too_soon",
            "codes_limited",
            "link_locked",
        ] {
            let path = format!("/login?error={code}&until={until}");
            let res = b.get(&path).await;
            assert_eq!(res.status(), 200, "{path}");
        }
    }
}
