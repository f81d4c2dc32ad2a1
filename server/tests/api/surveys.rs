//! Satisfaction surveys: invited when a service is completed or a claim is paid, answered
//! once from the SMS link, counted for supervisors.

use crate::access::{assert_read_only, view_as};
use crate::helpers::*;
use app::backend::services::sms::dispatch;
use app::model::StaffRole;
use reqwest::StatusCode;

const DAY: i64 = 86_400;

async fn signed_in(app: &TestApp, phone: &str, name: &str) -> (Customer, Browser) {
    let c = app.customer(phone, name, Some(PASSWORD)).await;
    let b = app.browser();
    assert_eq!(redirected(&b.login(phone, PASSWORD).await), "/");
    (c, b)
}

async fn supervisor(app: &TestApp, username: &str) -> Browser {
    app.staff(username, StaffRole::Supervisor).await;
    let b = app.browser();
    assert_eq!(
        redirected(&b.staff_login(username, PASSWORD).await),
        "/staff"
    );
    b
}

/// Books the first slot for the customer, lets it start, and has a supervisor mark it
/// completed. Returns the booking id.
async fn completed_booking(app: &TestApp, b: &Browser, phone: &str, staff: &str) -> String {
    let s = app.services(2, 4).await;
    let policy = app.policy_of(phone).await;
    let to = redirected(&b.book(&policy, &s.checkup_kind, &s.slots[0]).await);
    let booking = to
        .trim_start_matches("/bookings/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let starts = app
        .count("SELECT starts_at FROM slots WHERE id = $1", &s.slots[0])
        .await;
    app.clock.advance(starts - app.clock.now() + 3600);
    let sup = supervisor(app, staff).await;
    let res = sup
        .post_form(
            "/api/close_booking",
            &[("booking_id", &booking), ("outcome", "completed")],
        )
        .await;
    assert!(
        redirected(&res).ends_with("?done=completed"),
        "{}",
        redirected(&res)
    );
    booking
}

/// The newest survey SMS to `phone`.
async fn survey_sms(app: &TestApp, phone: &str) -> String {
    let (body,): (String,) = sqlx::query_as(
        "SELECT body FROM sms_outbox WHERE phone = $1 AND category = 'survey' ORDER BY created_at DESC LIMIT 1",
    )
    .bind(phone)
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    body
}

/// The short-link code in the newest survey SMS to `phone`.
async fn survey_link_code(app: &TestApp, phone: &str) -> String {
    let body = survey_sms(app, phone).await;
    let start = body.find("/s/").expect("a short link") + 3;
    body[start..]
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect()
}

async fn invitation_for(app: &TestApp, subject_id: &str) -> Option<String> {
    sqlx::query_as::<_, (String,)>("SELECT id FROM survey_invitations WHERE subject_id = $1")
        .bind(subject_id)
        .fetch_optional(&app.state.db.pool)
        .await
        .unwrap()
        .map(|(id,)| id)
}

async fn answer(b: &Browser, id: &str, score: &str, comment: &str) -> String {
    redirected(
        &b.post_form(
            "/api/answer_survey",
            &[("survey_id", id), ("score", score), ("comment", comment)],
        )
        .await,
    )
}

#[tokio::test]
async fn a_completed_appointment_is_rated_once_from_its_sms_link() {
    let app = spawn_app().await;
    let (c, b) = signed_in(&app, "13900001901", "周敏").await;
    let booking = completed_booking(&app, &b, &c.phone, "super.svy1").await;

    // One invitation, one survey SMS with a survey short link, in the completion.
    let id = invitation_for(&app, &booking).await.expect("an invitation");
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM survey_invitations WHERE subject_kind = 'booking' AND service = $1",
            "health_checkup"
        )
        .await,
        1
    );
    let sms = survey_sms(&app, &c.phone).await;
    assert!(
        sms.contains("您申请的健康体检已完成，1-10分请评价本次服务体验"),
        "{sms}"
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM sms_outbox WHERE category = 'survey' AND phone = $1",
            &c.phone
        )
        .await,
        1
    );
    let code = survey_link_code(&app, &c.phone).await;
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM short_links WHERE purpose = 'survey' AND target_id = $1",
            &id
        )
        .await,
        1
    );

    // The booking page points to it (signed in again: the appointment was a day ago).
    b.login(&c.phone, PASSWORD).await;
    let page = b.page(&format!("/bookings/{booking}")).await;
    assert!(page.contains("请评价本次服务") && page.contains(&format!("/surveys/{id}")));

    // A link previewer opens the link and the survey; nothing is consumed.
    let phone = app.browser();
    for _ in 0..2 {
        assert_eq!(phone.get(&format!("/s/{code}")).await.status(), 200);
    }
    let checked = phone
        .post_form(
            "/api/check_link",
            &[("code", &code), ("id_last4", &c.id_last4)],
        )
        .await;
    assert_eq!(redirected(&checked), format!("/surveys/{id}"));
    for _ in 0..2 {
        let page = phone.page(&format!("/surveys/{id}")).await;
        assert!(page.contains("data-testid=\"survey-form\""));
        assert!(page.contains("<fieldset") && page.contains("<legend"));
        assert_eq!(page.matches("type=\"radio\" name=\"score\"").count(), 10);
    }
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM survey_invitations WHERE id = $1 AND state = 'sent'",
            &id
        )
        .await,
        1
    );

    // Answered from the link session; then it says so, with the answer.
    let to = answer(&phone, &id, "9", "  医生很耐心，报告解释得很清楚。 ").await;
    assert_eq!(to, format!("/surveys/{id}?done=answered"));
    let page = phone.page(&to).await;
    assert!(page.contains("data-testid=\"survey-answered\"") && page.contains("9 分"));
    assert!(page.contains("医生很耐心，报告解释得很清楚。"));
    assert!(!page.contains("data-testid=\"survey-form\""));
    let again = answer(&b, &id, "1", "").await;
    assert!(again.contains("error=survey_answered"), "{again}");
    let page = b.page(&again).await;
    assert!(page.contains("已经回答过了"));
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM survey_responses WHERE invitation_id = $1 AND score = 9",
            &id
        )
        .await,
        1
    );
    // The link session may answer this survey and nothing else.
    assert!(redirected(&phone.get("/").await).starts_with("/login"));
}

#[tokio::test]
async fn a_completed_roadside_request_and_a_paid_claim_each_invite() {
    let app = spawn_app().await;
    app.services(2, 4).await;
    // Roadside help: asked for, moved to completed by a supervisor.
    let (road, b) = signed_in(&app, "13900001902", "吴刚").await;
    let policy = app.policy_of(&road.phone).await;
    let asked = b
        .post_form(
            "/api/request_roadside",
            &[
                ("policy_id", &policy),
                ("location", "沪嘉高速 南翔出口"),
                ("plate", "沪B12345"),
                ("what_happened", "电瓶没电"),
                ("phone", &road.phone),
            ],
        )
        .await;
    let request = redirected(&asked)
        .trim_start_matches("/roadside/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let sup = supervisor(&app, "super.svy2").await;
    for from in ["received", "dispatched"] {
        sup.post_form(
            "/api/advance_roadside",
            &[("request_id", &request), ("from", from)],
        )
        .await;
        assert!(
            invitation_for(&app, &request).await.is_none(),
            "not before it is done"
        );
    }
    sup.post_form(
        "/api/advance_roadside",
        &[("request_id", &request), ("from", "arrived")],
    )
    .await;
    let id = invitation_for(&app, &request).await.expect("an invitation");
    assert!(survey_sms(&app, &road.phone)
        .await
        .contains("您申请的道路救援已完成"));
    let page = b.page(&format!("/roadside/{request}")).await;
    assert!(page.contains(&format!("/surveys/{id}")));

    // A claim: reported, moved through its stages, paid.
    use app::backend::services::claims::{self, PayoutChoice, Report};
    let claimant = app.customer("13900001903", "郑洁", Some(PASSWORD)).await;
    let customer_id = app.customer_id(&claimant.phone).await;
    let policy = app.policy_of(&claimant.phone).await;
    let (claim, _) = claims::report(
        &app.state,
        &customer_id,
        Report {
            policy_id: policy,
            incident_date: app.clock.today_shanghai(),
            place: "上海".into(),
            description: "倒车时撞到立柱".into(),
            amount_claimed: Some(app::model::Money(900_000)),
            payout: PayoutChoice::Bank {
                bank: "招商银行".into(),
                account_no: "6225880212345678".into(),
            },
            files: vec![],
        },
    )
    .await
    .unwrap();
    app.staff("claims.svy", StaffRole::Claims).await;
    let (handler,): (String,) = sqlx::query_as("SELECT id FROM staff WHERE username = $1")
        .bind("claims.svy")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    use app::model::{ClaimEventKind, ClaimStage, Money};
    let mut from = ClaimStage::Reported;
    while from != ClaimStage::Paid {
        match from {
            ClaimStage::Assessment => {
                claims::set_amount(
                    &app.state,
                    &handler,
                    &claim,
                    ClaimEventKind::Assessed,
                    Money(800_000),
                )
                .await
                .unwrap();
            }
            ClaimStage::Approval => {
                claims::set_amount(
                    &app.state,
                    &handler,
                    &claim,
                    ClaimEventKind::Approved,
                    Money(800_000),
                )
                .await
                .unwrap();
                assert!(
                    invitation_for(&app, &claim).await.is_none(),
                    "not before it is paid"
                );
            }
            _ => {}
        }
        from = claims::advance(&app.state, &handler, &claim, from, "")
            .await
            .unwrap();
    }
    let id = invitation_for(&app, &claim).await.expect("an invitation");
    assert!(survey_sms(&app, &claimant.phone)
        .await
        .contains("您申请的理赔已完成"));
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM survey_invitations WHERE id = $1 AND subject_kind = 'claim' AND service = 'claim'",
            &id
        )
        .await,
        1
    );
}

#[tokio::test]
async fn of_a_burst_of_answers_exactly_one_counts() {
    let app = spawn_app().await;
    let (c, b) = signed_in(&app, "13900001904", "冯磊").await;
    let id = app
        .survey_invitation(&c.phone, "claim-burst")
        .await
        .unwrap();
    let scores: Vec<String> = (0..20).map(|i| (i % 10 + 1).to_string()).collect();
    let calls = scores.iter().map(|s| answer(&b, &id, s, "并发"));
    let results = futures::future::join_all(calls).await;
    let won = results
        .iter()
        .filter(|r| r.ends_with("?done=answered"))
        .count();
    let told = results
        .iter()
        .filter(|r| r.contains("error=survey_answered"))
        .count();
    assert_eq!((won, told), (1, 19), "{results:?}");
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM survey_responses WHERE invitation_id = $1",
            &id
        )
        .await,
        1
    );
}

#[tokio::test]
async fn a_survey_is_open_for_seven_days_then_says_it_expired() {
    let app = spawn_app().await;
    let c = app.customer("13900001905", "褚红", Some(PASSWORD)).await;
    let id = app
        .survey_invitation(&c.phone, "claim-expiry")
        .await
        .unwrap();
    app.clock.advance(7 * DAY - 60);
    let b = app.browser();
    b.login(&c.phone, PASSWORD).await;
    assert!(b
        .page(&format!("/surveys/{id}"))
        .await
        .contains("data-testid=\"survey-form\""));
    app.clock.advance(120);
    let page = b.page(&format!("/surveys/{id}")).await;
    assert!(page.contains("data-testid=\"survey-expired\"") && page.contains("已过期"));
    assert!(!page.contains("data-testid=\"survey-form\""));
    let to = answer(&b, &id, "8", "").await;
    assert!(to.contains("error=survey_expired"), "{to}");
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM survey_responses WHERE invitation_id = $1",
            &id
        )
        .await,
        0
    );
    // Its short link expired with it.
    let code = survey_link_code(&app, &c.phone).await;
    assert_eq!(app.browser().get(&format!("/s/{code}")).await.status(), 404);
}

#[tokio::test]
async fn one_invitation_per_customer_in_thirty_days() {
    let app = spawn_app().await;
    let c = app.customer("13900001906", "卫东", Some(PASSWORD)).await;
    assert!(app.survey_invitation(&c.phone, "claim-1").await.is_some());
    app.clock.advance(29 * DAY);
    assert!(app.survey_invitation(&c.phone, "claim-2").await.is_none());
    app.clock.advance(DAY);
    assert!(app.survey_invitation(&c.phone, "claim-3").await.is_some());
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM sms_outbox WHERE category = 'survey' AND phone = $1",
            &c.phone
        )
        .await,
        2,
        "nothing is sent for the one not made"
    );

    // Completions at the same moment for one customer invite once.
    let d = app.customer("13900001907", "蒋文", Some(PASSWORD)).await;
    let subjects: Vec<String> = (0..8).map(|i| format!("claim-race-{i}")).collect();
    let made =
        futures::future::join_all(subjects.iter().map(|s| app.survey_invitation(&d.phone, s)))
            .await;
    assert_eq!(made.iter().filter(|m| m.is_some()).count(), 1, "{made:?}");
}

#[tokio::test]
async fn opting_out_of_surveys_keeps_appointment_notices() {
    let app = spawn_app().await;
    let (c, b) = signed_in(&app, "13900001908", "沈悦").await;
    let res = b
        .post_form(
            "/api/save_notification_preferences",
            &[
                ("renewal", "on"),
                ("claims", "on"),
                ("service_notice", "on"),
                ("time_window", "any"),
            ],
        )
        .await;
    assert_eq!(redirected(&res), "/settings/notifications?saved=1");
    let page = b.page("/settings/notifications").await;
    assert!(page.contains("name=\"service_notice\" value=\"on\" checked"));
    assert!(!page.contains("name=\"survey\" value=\"on\" checked"));
    let booking = completed_booking(&app, &b, &c.phone, "super.svy3").await;
    assert!(invitation_for(&app, &booking).await.is_none());
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM sms_outbox WHERE category = 'survey' AND phone = $1",
            &c.phone
        )
        .await,
        0
    );
    // The booking's own notice still goes out (at a daytime hour).
    let local = (app.clock.now() + 8 * 3600).rem_euclid(DAY);
    app.clock.advance((10 * 3600 - local).rem_euclid(DAY));
    dispatch(&app.state, "t").await.unwrap();
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM sms_outbox WHERE category = 'service_notice' AND state = 'sent' AND phone = $1",
            &c.phone
        )
        .await,
        1
    );
}

#[tokio::test]
async fn a_t_reply_turns_off_surveys_and_service_notices_and_marketing() {
    let app = spawn_app().await;
    let c = app.customer("13900001909", "韩梅", Some(PASSWORD)).await;
    let stop: app::backend::adapters::sms::InboundSms = serde_json::from_value(
        serde_json::json!({"message_id": "stop-1", "phone": c.phone, "text": "T"}),
    )
    .unwrap();
    assert_eq!(
        app::backend::services::sms_replies::answer(&app.state, &stop)
            .await
            .unwrap(),
        app::backend::services::sms_replies::Handled::Recorded
    );
    let id = app.customer_id(&c.phone).await;
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM notification_preferences WHERE customer_id = $1 \
             AND survey = 0 AND service_notice = 0 AND marketing = 0 AND renewal = 0 AND claims = 1",
            &id
        )
        .await,
        1
    );
    assert!(app.survey_invitation(&c.phone, "claim-t").await.is_none());
}

#[tokio::test]
async fn a_survey_made_at_night_is_texted_in_the_morning() {
    let app = spawn_app().await;
    let c = app.customer("13900001910", "杨帆", Some(PASSWORD)).await;
    let local = (app.clock.now() + 8 * 3600).rem_euclid(DAY);
    app.clock.advance((23 * 3600 - local).rem_euclid(DAY));
    app.survey_invitation(&c.phone, "claim-night")
        .await
        .unwrap();
    assert_eq!(
        dispatch(&app.state, "t").await.unwrap(),
        0,
        "quiet at 23:00"
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM sms_outbox WHERE category = 'survey' AND state = 'deferred' AND phone = $1",
            &c.phone
        )
        .await,
        1
    );
    app.clock.advance(9 * 3600); // 08:00
    assert_eq!(dispatch(&app.state, "t").await.unwrap(), 1);
}

#[tokio::test]
async fn only_its_customer_answers_a_survey() {
    let app = spawn_app().await;
    let (a, owner) = signed_in(&app, "13900001911", "朱丹").await;
    let id = app
        .survey_invitation(&a.phone, "claim-access")
        .await
        .unwrap();
    // Another customer: not found, and their answer changes nothing.
    let (_, other) = signed_in(&app, "13900001912", "秦川").await;
    assert_eq!(
        other.get(&format!("/surveys/{id}")).await.status(),
        StatusCode::NOT_FOUND
    );
    answer(&other, &id, "1", "不是我的").await;
    // Nobody: the sign-in page.
    assert!(redirected(&app.browser().get(&format!("/surveys/{id}")).await).starts_with("/login"));
    // Staff viewing as the customer: see it, may not answer for them.
    app.staff("agent.svy", StaffRole::Agent).await;
    let staff = app.browser();
    staff.staff_login("agent.svy", PASSWORD).await;
    let customer_id = app.customer_id(&a.phone).await;
    view_as(&staff, &customer_id).await;
    assert!(staff
        .page(&format!("/surveys/{id}"))
        .await
        .contains("只有客户本人可以作答"));
    let res = staff
        .post_form(
            "/api/answer_survey",
            &[("survey_id", id.as_str()), ("score", "10"), ("comment", "")],
        )
        .await;
    assert_read_only(res, "answer_survey").await;
    // A post from another site: refused before the handler.
    let foreign = owner
        .post_from_elsewhere(
            "/api/answer_survey",
            &[("survey_id", id.as_str()), ("score", "2")],
        )
        .await;
    assert_eq!(foreign.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM survey_responses WHERE invitation_id = $1",
            &id
        )
        .await,
        0
    );
    // The owner still can.
    assert!(answer(&owner, &id, "7", "")
        .await
        .ends_with("?done=answered"));
}

#[tokio::test]
async fn garbage_huge_and_missing_answers_get_a_clear_message_never_a_500() {
    let app = spawn_app().await;
    let (c, b) = signed_in(&app, "13900001913", "尤佳").await;
    let id = app
        .survey_invitation(&c.phone, "claim-garbage")
        .await
        .unwrap();
    let huge = "9".repeat(20_000);
    for score in ["", "0", "11", "abc", "9.5", "-3", "１０", &huge] {
        let to = answer(&b, &id, score, "").await;
        assert!(to.contains("error=bad_score"), "{score:.20} → {to}");
    }
    let no_score = b
        .post_form("/api/answer_survey", &[("survey_id", &id)])
        .await;
    assert!(redirected(&no_score).contains("error=bad_score"));
    let long = "好".repeat(501);
    let to = answer(&b, &id, "8", &long).await;
    assert!(to.contains("error=comment_too_long"), "{to}");
    let page = b.page(&to).await;
    assert!(page.contains("意见最多 500 字") && page.contains("aria-invalid=\"true\""));
    let page = b.page(&format!("/surveys/{id}?error=bad_score")).await;
    assert!(page.contains("请选择 1 到 10 之间的一个分数"));
    // Far past any form's size, or without the survey: refused, never a 500.
    let res = b
        .post_form(
            "/api/answer_survey",
            &[
                ("survey_id", &id),
                ("score", "8"),
                ("comment", &"评".repeat(400_000)),
            ],
        )
        .await;
    assert!(res.status().as_u16() < 500, "{}", res.status());
    let res = b.post_form("/api/answer_survey", &[("score", "8")]).await;
    assert!(res.status().as_u16() < 500, "{}", res.status());
    let res = b
        .post_form(
            "/api/answer_survey",
            &[("survey_id", "../../x"), ("score", "8")],
        )
        .await;
    assert!(res.status().as_u16() < 500, "{}", res.status());
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM survey_responses WHERE invitation_id = $1",
            &id
        )
        .await,
        0
    );
    // A comment of exactly 500 characters is fine.
    let to = answer(&b, &id, "8", &"好".repeat(500)).await;
    assert!(to.ends_with("?done=answered"), "{to}");
}

#[tokio::test]
async fn supervisors_see_results_and_export_them_safely_agents_cannot() {
    let app = spawn_app().await;
    let answers = [
        (
            "13900001921",
            "10",
            "=HYPERLINK(\"http://evil.example\",\"点我\")",
        ),
        ("13900001922", "9", "理赔很快，\"非常\"满意"),
        ("13900001923", "3", "-2+3 等了太久"),
        ("13900001924", "", ""),
    ];
    for (phone, score, comment) in answers {
        let (c, b) = signed_in(&app, phone, "测评").await;
        let id = app
            .survey_invitation(&c.phone, &format!("claim-{phone}"))
            .await
            .unwrap();
        if !score.is_empty() {
            assert!(answer(&b, &id, score, comment)
                .await
                .ends_with("?done=answered"));
        }
    }
    let sup = supervisor(&app, "super.results").await;
    let home = sup.page("/staff").await;
    assert!(home.contains("href=\"/staff/surveys\""));
    let page = sup.page("/staff/surveys").await;
    assert!(
        page.contains("<svg") && page.contains("<figcaption"),
        "a chart with a caption"
    );
    assert!(page.contains("data-testid=\"score-table\""), "and a table");
    // 10, 9, 3 of 4 sent: average 7.3, (2 − 1) / 3 → +33, 75 % answered.
    assert!(page.contains(">7.3<"), "average");
    assert!(page.contains(">+33<"), "net score");
    assert!(page.contains(">75%<"), "response rate");
    assert!(page.contains("-2+3 等了太久"), "latest comments");
    let only_roadside = sup
        .page("/staff/surveys?service=roadside_assistance&from=2000-01&to=2100-12")
        .await;
    assert!(!only_roadside.contains("等了太久"));

    let csv = sup.get("/staff/surveys/answers.csv").await;
    assert_eq!(csv.status(), 200);
    assert!(csv.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let body = csv.text().await.unwrap();
    assert_eq!(
        body.lines().count(),
        4,
        "a header and three answers:\n{body}"
    );
    assert!(
        body.contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"点我\"\")\""),
        "{body}"
    );
    assert!(body.contains("\"'-2+3 等了太久\""), "{body}");
    assert!(body.contains("\"理赔很快，\"\"非常\"\"满意\""), "{body}");
    assert!(!body.contains(",\"=") && !body.contains(",=") && !body.contains(",-2"));
    assert!(
        !body.contains("13900001921"),
        "no customer's phone in the file"
    );

    // An agent: neither page nor file. A customer or nobody: the staff sign-in.
    app.staff("agent.results", StaffRole::Agent).await;
    let agent = app.browser();
    agent.staff_login("agent.results", PASSWORD).await;
    assert_eq!(agent.get("/staff/surveys").await.status(), 404);
    assert_eq!(agent.get("/staff/surveys/answers.csv").await.status(), 404);
    assert!(!agent
        .page("/staff")
        .await
        .contains("href=\"/staff/surveys\""));
    let (_, customer) = signed_in(&app, "13900001925", "客户").await;
    for b in [customer, app.browser()] {
        for path in ["/staff/surveys", "/staff/surveys/answers.csv"] {
            assert!(
                redirected(&b.get(path).await).starts_with("/staff/login"),
                "{path}"
            );
        }
    }
}
