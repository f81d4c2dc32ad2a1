//! Servicing (保全), end to end over HTTP: a customer changes a life policy's beneficiaries
//! after a step-up check and follows the request while a reviewer takes it into review and
//! approves or rejects it; contact details change at once — and every way in which that
//! must not go wrong: shares that do not add up, no step-up, staff viewing as the customer,
//! someone else's request, two reviewers at once, another site's form, nonsense fields.

use crate::access::{assert_read_only, view_as};
use crate::helpers::*;
use app::backend::domain::servicing::id_check_char;
use app::backend::store::seed::{self, insert, V};
use app::model::StaffRole;

/// A valid resident ID number born on `born` (`YYYYMMDD`).
fn id_number(born: &str, seq: u32) -> String {
    let first17 = format!("110105{born}{seq:03}");
    format!("{first17}{}", id_check_char(&first17))
}

/// A life policy of `c`'s, naming one beneficiary (王芳, spouse, 100 %).
pub(crate) async fn life_policy(app: &TestApp, c: &Customer) -> String {
    let customer_id = app.customer_id(&c.phone).await;
    let mut conn = app.state.db.pool.acquire().await.unwrap();
    let existing: Option<(String,)> =
        sqlx::query_as("SELECT id FROM products WHERE code = 'TEST_LIFE'")
            .fetch_optional(&mut *conn)
            .await
            .unwrap();
    let product = match existing {
        Some((id,)) => id,
        None => {
            let id = app::backend::ids::new_id();
            insert(
                &mut conn,
                "products",
                &[
                    "id",
                    "code",
                    "line",
                    "name_zh",
                    "name_en",
                    "base_premium_fen",
                ],
                vec![
                    id.clone().into(),
                    "TEST_LIFE".into(),
                    "life".into(),
                    "测试定期寿险".into(),
                    "Test Term Life".into(),
                    V::I(480_000),
                ],
            )
            .await
            .unwrap();
            id
        }
    };
    let policy_id = app::backend::ids::new_id();
    let now = app.clock.now();
    seed::policy(
        &mut conn,
        &seed::NewPolicy {
            id: &policy_id,
            customer_id: &customer_id,
            product_id: &product,
            policy_no: &format!("PL2026{}", &c.phone[3..]),
            status: "active",
            insured_object: "王伟",
            auto_debit: false,
            verification_code: &app::backend::ids::short_code(12),
            created_at: now,
        },
    )
    .await
    .unwrap();
    seed::term(
        &mut conn,
        &seed::NewTerm {
            id: &app::backend::ids::new_id(),
            policy_id: &policy_id,
            customer_id: &customer_id,
            term_no: 1,
            start_date: "2026-01-01",
            end_date: "2026-12-31",
            premium_fen: 480_000,
            created_at: now,
        },
    )
    .await
    .unwrap();
    insert(
        &mut conn,
        "beneficiaries",
        &["id", "policy_id", "name", "relation", "share_pct"],
        vec![
            app::backend::ids::new_id().into(),
            policy_id.clone().into(),
            "王芳".into(),
            "spouse".into(),
            V::I(100),
        ],
    )
    .await
    .unwrap();
    policy_id
}

fn page_of(policy: &str) -> String {
    format!("/policies/{policy}/beneficiaries")
}

/// A customer with a life policy, signed in and (if `step_up`) just past the ID check.
pub(crate) async fn holder(
    app: &TestApp,
    phone: &str,
    step_up: bool,
) -> (Customer, Browser, String) {
    let c = app.customer(phone, "王伟", Some(PASSWORD)).await;
    let policy = life_policy(app, &c).await;
    let b = app.browser();
    assert_eq!(redirected(&b.login(&c.phone, PASSWORD).await), "/");
    if step_up {
        let res = b
            .post_form(
                "/api/step_up",
                &[("id_last4", &c.id_last4), ("next", &page_of(&policy))],
            )
            .await;
        assert_eq!(redirected(&res), page_of(&policy));
    }
    (c, b, policy)
}

/// The beneficiaries form as a browser without JavaScript posts it: `rows` of (name,
/// relation, ID number, share); the other rows empty.
async fn ask(b: &Browser, policy: &str, rows: &[(&str, &str, &str, &str)]) -> reqwest::Response {
    let mut form: Vec<(String, String)> = vec![("policy_id".into(), policy.into())];
    for n in 1..=5 {
        let (name, rel, id, share) = rows.get(n - 1).copied().unwrap_or(("", "", "", ""));
        for (k, v) in [
            ("name", name),
            ("relation", rel),
            ("id_number", id),
            ("share", share),
        ] {
            form.push((format!("{k}_{n}"), v.to_owned()));
        }
    }
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    b.post_form("/api/request_beneficiary_change", &form).await
}

pub(crate) fn request_id_of(location: &str) -> String {
    location
        .trim_start_matches("/requests/")
        .split('?')
        .next()
        .unwrap()
        .to_owned()
}

pub(crate) async fn reviewer(app: &TestApp, username: &str) -> Browser {
    app.staff(username, StaffRole::Claims).await;
    let b = app.browser();
    assert_eq!(
        redirected(&b.staff_login(username, PASSWORD).await),
        "/staff"
    );
    b
}

async fn beneficiaries(app: &TestApp, policy: &str) -> Vec<(String, String, i64, String)> {
    sqlx::query_as(
        "SELECT name, relation, share_pct, id_number_masked FROM beneficiaries WHERE policy_id = $1 ORDER BY share_pct DESC, name",
    )
    .bind(policy)
    .fetch_all(&app.state.db.pool)
    .await
    .unwrap()
}

pub(crate) async fn requests_of(app: &TestApp, c: &Customer) -> i64 {
    let id = app.customer_id(&c.phone).await;
    app.count(
        "SELECT COUNT(*) FROM service_requests WHERE customer_id = $1",
        &id,
    )
    .await
}

pub(crate) async fn request_state(app: &TestApp, id: &str) -> String {
    let (s,): (String,) = sqlx::query_as("SELECT state FROM service_requests WHERE id = $1")
        .bind(id)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    s
}

pub(crate) async fn servicing_sms(app: &TestApp, phone: &str) -> Vec<String> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT body FROM sms_outbox WHERE phone = $1 AND category = 'servicing' ORDER BY created_at, id",
    )
    .bind(phone)
    .fetch_all(&app.state.db.pool)
    .await
    .unwrap();
    rows.into_iter().map(|(b,)| b).collect()
}

#[tokio::test]
async fn a_beneficiary_change_is_reviewed_then_takes_effect_with_an_sms_and_an_audit_trail() {
    let app = spawn_app().await;
    let staff = reviewer(&app, "claims.s1").await;
    let (c, b, policy) = holder(&app, "13900002101", true).await;
    let spouse = id_number("19820304", 121);
    let child = id_number("20120815", 232);

    let page = b.page(&page_of(&policy)).await;
    assert!(
        page.contains("data-testid=\"beneficiaries-form\""),
        "the form after step-up"
    );
    assert!(page.contains("王*"), "the beneficiary named now, masked");
    let to = redirected(
        &ask(
            &b,
            &policy,
            &[
                ("李娜", "spouse", &spouse, "60"),
                ("王小雨", "child", &child.to_lowercase(), "40%"),
            ],
        )
        .await,
    );
    assert!(to.ends_with("?done=submitted"), "{to}");
    let id = request_id_of(&to);
    assert!(id.len() >= 22, "an unguessable id");
    let mine = b.page(&to).await;
    assert!(
        mine.contains("申请已提交") && mine.contains("已提交"),
        "{mine}"
    );
    assert!(mine.contains("1101**********"), "ID numbers masked");
    assert!(!mine.contains(&spouse) && !mine.contains(&spouse[6..14]));
    // Nothing changes before the review; the hall lists the request.
    assert_eq!(beneficiaries(&app, &policy).await.len(), 1);
    assert!(b
        .page("/requests")
        .await
        .contains(&format!("/requests/{id}")));
    // The whole number is nowhere in the database.
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM service_requests WHERE payload LIKE '%' || $1 || '%'",
            &spouse[6..14]
        )
        .await,
        0
    );
    assert_eq!(audited(&app, "servicing.submitted", &id).await, 1);

    // The reviewer's queue and page: the request, the beneficiaries now, the history.
    let queue = staff.page("/staff/requests").await;
    assert!(queue.contains(&format!("/staff/requests/{id}")));
    let review = staff.page(&format!("/staff/requests/{id}")).await;
    assert!(
        review.contains("王芳") && review.contains("李娜"),
        "now and asked for"
    );
    let back = format!("/staff/requests/{id}");
    assert_eq!(
        post(&staff, "review_service_request", &[("request_id", &id)]).await,
        format!("{back}?done=in_review")
    );
    assert_eq!(request_state(&app, &id).await, "in_review");
    assert!(b
        .page(&format!("/requests/{id}"))
        .await
        .contains("资料审核中"));
    assert!(
        servicing_sms(&app, &c.phone).await.is_empty(),
        "no SMS for taking it"
    );

    assert_eq!(
        post(&staff, "approve_service_request", &[("request_id", &id)]).await,
        format!("{back}?done=done")
    );
    assert_eq!(request_state(&app, &id).await, "done");
    let now = beneficiaries(&app, &policy).await;
    assert_eq!(
        now,
        vec![
            (
                "李娜".to_owned(),
                "spouse".to_owned(),
                60,
                format!("1101**********{}", &spouse[14..])
            ),
            (
                "王小雨".to_owned(),
                "child".to_owned(),
                40,
                format!("1101**********{}", &child[14..])
            ),
        ]
    );
    let sms = servicing_sms(&app, &c.phone).await;
    assert_eq!(sms.len(), 1, "{sms:?}");
    assert!(sms[0].contains("办理完成") && sms[0].contains(&format!("/requests/{id}")));
    for action in [
        "servicing.submitted",
        "servicing.in_review",
        "servicing.approved",
    ] {
        assert_eq!(audited(&app, action, &id).await, 1, "{action}");
    }
    let done = b.page(&format!("/requests/{id}")).await;
    assert!(done.contains("办理完成"));
    assert!(done.contains("测试员工"), "who handled it");
    // A decided request takes no more decisions.
    assert!(post(
        &staff,
        "reject_service_request",
        &[("request_id", &id), ("reason", "再拒绝一次试试")]
    )
    .await
    .contains("error=request_moved"));
    assert_eq!(request_state(&app, &id).await, "done");
}

#[tokio::test]
async fn shares_that_do_not_add_up_or_a_bad_id_number_are_refused_and_nothing_changes() {
    let app = spawn_app().await;
    let (c, b, policy) = holder(&app, "13900002102", true).await;
    let a = id_number("19820304", 121);
    let to = redirected(
        &ask(
            &b,
            &policy,
            &[
                ("李娜", "spouse", &a, "60"),
                ("王小雨", "child", &id_number("20120815", 232), "30"),
            ],
        )
        .await,
    );
    assert_eq!(to, format!("{}?error=shares_sum", page_of(&policy)));
    let page = b.page(&to).await;
    assert!(page.contains("受益比例合计必须正好是 100%"), "told why");
    let mut wrong = a.clone();
    let last = wrong.pop().unwrap();
    wrong.push(if last == '1' { '2' } else { '1' });
    let to = redirected(
        &ask(
            &b,
            &policy,
            &[
                ("李娜", "spouse", &id_number("19700101", 1), "50"),
                ("王小雨", "child", &wrong, "50"),
            ],
        )
        .await,
    );
    assert!(to.contains("error=beneficiary_id_number&row=2"), "{to}");
    assert!(b.page(&to).await.contains("第 2 位受益人"));
    for rows in [
        vec![],
        vec![("李娜", "cousin", a.as_str(), "100")],
        vec![("李娜", "spouse", a.as_str(), "0")],
        vec![
            ("李娜", "spouse", a.as_str(), "50"),
            ("李娜娜", "child", a.as_str(), "50"),
        ],
    ] {
        let to = redirected(&ask(&b, &policy, &rows).await);
        assert!(to.contains("?error="), "{to}");
    }
    assert_eq!(requests_of(&app, &c).await, 0);
    assert_eq!(beneficiaries(&app, &policy).await.len(), 1);
}

#[tokio::test]
async fn without_a_fresh_step_up_the_page_asks_for_it_and_a_post_is_refused() {
    let app = spawn_app().await;
    let (c, b, policy) = holder(&app, "13900002103", false).await;
    let page = b.page(&page_of(&policy)).await;
    assert!(
        page.contains("data-testid=\"id-check-form\""),
        "the step-up form first"
    );
    assert!(!page.contains("data-testid=\"beneficiaries-form\""));
    let to = redirected(
        &ask(
            &b,
            &policy,
            &[("李娜", "spouse", &id_number("19820304", 121), "100")],
        )
        .await,
    );
    assert_eq!(to, format!("{}?error=step_up_required", page_of(&policy)));
    assert_eq!(requests_of(&app, &c).await, 0);
    // The step-up returns to this page, and then the form is there.
    let res = b
        .post_form(
            "/api/step_up",
            &[("id_last4", &c.id_last4), ("next", &page_of(&policy))],
        )
        .await;
    assert_eq!(redirected(&res), page_of(&policy));
    assert!(b
        .page(&page_of(&policy))
        .await
        .contains("data-testid=\"beneficiaries-form\""));
}

#[tokio::test]
async fn only_life_and_health_policies_in_force_and_one_open_request_at_a_time() {
    let app = spawn_app().await;
    let (c, b, policy) = holder(&app, "13900002104", true).await;
    let auto: (String,) = sqlx::query_as("SELECT id FROM policies WHERE policy_no = $1")
        .bind(&c.policy_no)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert!(b
        .page(&page_of(&auto.0))
        .await
        .contains("data-testid=\"not-eligible\""));
    let to = redirected(
        &ask(
            &b,
            &auto.0,
            &[("李娜", "spouse", &id_number("19820304", 121), "100")],
        )
        .await,
    );
    assert!(to.ends_with("?error=not_eligible"), "{to}");

    let row = [("李娜", "spouse", id_number("19820304", 121), "100")];
    let rows: Vec<(&str, &str, &str, &str)> = row
        .iter()
        .map(|(a, b, c, d)| (*a, *b, c.as_str(), *d))
        .collect();
    assert!(redirected(&ask(&b, &policy, &rows).await).ends_with("?done=submitted"));
    // A second tap, or a second tab: one request.
    let to = redirected(&ask(&b, &policy, &rows).await);
    assert!(to.ends_with("?error=request_open"), "{to}");
    assert_eq!(requests_of(&app, &c).await, 1);
    assert!(b
        .page(&page_of(&policy))
        .await
        .contains("data-testid=\"open-request\""));
}

#[tokio::test]
async fn a_rejected_request_says_why_and_changes_nothing() {
    let app = spawn_app().await;
    let staff = reviewer(&app, "claims.s5").await;
    let (c, b, policy) = holder(&app, "13900002105", true).await;
    let to = redirected(
        &ask(
            &b,
            &policy,
            &[("李娜", "spouse", &id_number("19820304", 121), "100")],
        )
        .await,
    );
    let id = request_id_of(&to);
    // Not before it is in review, and not without a reason.
    assert!(
        post(&staff, "approve_service_request", &[("request_id", &id)])
            .await
            .contains("error=request_moved")
    );
    post(&staff, "review_service_request", &[("request_id", &id)]).await;
    assert!(post(
        &staff,
        "reject_service_request",
        &[("request_id", &id), ("reason", "不")]
    )
    .await
    .contains("error=reason_required"));
    assert_eq!(request_state(&app, &id).await, "in_review");
    let reason = "受益人身份证号与姓名不一致";
    assert!(post(
        &staff,
        "reject_service_request",
        &[("request_id", &id), ("reason", reason)]
    )
    .await
    .ends_with("?done=rejected"));
    assert_eq!(request_state(&app, &id).await, "rejected");
    assert_eq!(beneficiaries(&app, &policy).await[0].0, "王芳");
    let sms = servicing_sms(&app, &c.phone).await;
    assert!(sms.len() == 1 && sms[0].contains(reason), "{sms:?}");
    let page = b.page(&format!("/requests/{id}")).await;
    assert!(page.contains("未通过") && page.contains(reason));
    assert_eq!(audited(&app, "servicing.rejected", &id).await, 1);
    // Closed, so a new request may be made.
    assert!(redirected(
        &ask(
            &b,
            &policy,
            &[("李娜", "spouse", &id_number("19820304", 121), "100")]
        )
        .await
    )
    .ends_with("?done=submitted"));
}

#[tokio::test]
async fn two_reviewers_approving_at_once_make_one_change_one_event_and_one_sms() {
    let app = spawn_app().await;
    let (c, b, policy) = holder(&app, "13900002106", true).await;
    let mut staff = vec![];
    for n in 0..4 {
        staff.push(reviewer(&app, &format!("claims.race{n}")).await);
    }
    let to = redirected(
        &ask(
            &b,
            &policy,
            &[
                ("李娜", "spouse", &id_number("19820304", 121), "50"),
                ("王小雨", "child", &id_number("20120815", 232), "50"),
            ],
        )
        .await,
    );
    let id = request_id_of(&to);
    post(&staff[0], "review_service_request", &[("request_id", &id)]).await;
    let form = [("request_id", id.as_str())];
    let results = futures::future::join_all(
        staff
            .iter()
            .map(|s| s.post_form("/api/approve_service_request", &form)),
    )
    .await;
    let targets: Vec<String> = results.iter().map(redirected).collect();
    let won = targets.iter().filter(|t| t.ends_with("?done=done")).count();
    let lost = targets
        .iter()
        .filter(|t| t.contains("error=request_moved"))
        .count();
    assert_eq!((won, lost), (1, 3), "{targets:?}");
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM service_request_events WHERE request_id = $1 AND to_state = 'done'",
            &id
        )
        .await,
        1
    );
    assert_eq!(beneficiaries(&app, &policy).await.len(), 2);
    assert_eq!(servicing_sms(&app, &c.phone).await.len(), 1);
    assert_eq!(audited(&app, "servicing.approved", &id).await, 1);
}

#[tokio::test]
async fn contact_details_change_at_once_and_show_as_a_done_request() {
    let app = spawn_app().await;
    let c = app.customer("13900002107", "陈明", Some(PASSWORD)).await;
    let b = app.browser();
    b.login(&c.phone, PASSWORD).await;
    assert!(b
        .page("/requests/new/contact")
        .await
        .contains("data-testid=\"contact-form\""));
    for (address, email, code) in [
        ("上海", "", "contact_address"),
        (
            "上海市徐汇区漕溪北路 88 号",
            "not-an-email",
            "contact_email",
        ),
    ] {
        let to = post(
            &b,
            "change_contact",
            &[("address", address), ("email", email)],
        )
        .await;
        assert_eq!(to, format!("/requests/new/contact?error={code}"));
    }
    assert_eq!(requests_of(&app, &c).await, 0);
    let to = post(
        &b,
        "change_contact",
        &[
            ("address", "上海市徐汇区漕溪北路 88 号 1201 室"),
            ("email", "Chen.Ming@Example.cn"),
        ],
    )
    .await;
    assert!(to.ends_with("?done=contact"), "{to}");
    let id = request_id_of(&to);
    let customer_id = app.customer_id(&c.phone).await;
    let (address, email): (String, String) =
        sqlx::query_as("SELECT address, email FROM customers WHERE id = $1")
            .bind(&customer_id)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!(
        (address.as_str(), email.as_str()),
        ("上海市徐汇区漕溪北路 88 号 1201 室", "chen.ming@example.cn")
    );
    assert_eq!(request_state(&app, &id).await, "done");
    assert_eq!(audited(&app, "servicing.contact_changed", &id).await, 1);
    let page = b.page(&to).await;
    assert!(page.contains("联系方式已更新") && page.contains("办理完成"));
    assert!(b.page("/requests").await.contains("办理完成"));
    assert!(b
        .page("/requests/new/contact")
        .await
        .contains("chen.ming@example.cn"));
}

#[tokio::test]
async fn staff_viewing_as_the_customer_can_read_but_never_ask_for_a_change() {
    let app = spawn_app().await;
    let (c, owner, policy) = holder(&app, "13900002108", true).await;
    let to = redirected(
        &ask(
            &owner,
            &policy,
            &[("李娜", "spouse", &id_number("19820304", 121), "100")],
        )
        .await,
    );
    let id = request_id_of(&to);
    app.staff("agent.view", StaffRole::Agent).await;
    let staff = app.browser();
    staff.staff_login("agent.view", PASSWORD).await;
    view_as(&staff, &app.customer_id(&c.phone).await).await;
    assert!(staff
        .page(&format!("/requests/{id}"))
        .await
        .contains("已提交"));
    assert!(staff.page("/requests").await.contains(&id));
    assert!(staff
        .page(&page_of(&policy))
        .await
        .contains("data-testid=\"open-request\""));

    let before = (
        requests_of(&app, &c).await,
        beneficiaries(&app, &policy).await,
    );
    let rows = [(
        "李娜",
        "spouse",
        id_number("19820304", 121),
        "100".to_owned(),
    )];
    let mut form: Vec<(&str, &str)> = vec![("policy_id", &policy)];
    form.extend([
        ("name_1", rows[0].0),
        ("relation_1", rows[0].1),
        ("id_number_1", rows[0].2.as_str()),
        ("share_1", rows[0].3.as_str()),
    ]);
    assert_read_only(
        staff
            .post_form("/api/request_beneficiary_change", &form)
            .await,
        "beneficiaries",
    )
    .await;
    assert_read_only(
        staff
            .post_form(
                "/api/change_contact",
                &[("address", "代客改的地址 1 号"), ("email", "")],
            )
            .await,
        "contact",
    )
    .await;
    assert_eq!(
        (
            requests_of(&app, &c).await,
            beneficiaries(&app, &policy).await
        ),
        before
    );
}

#[tokio::test]
async fn another_customers_request_and_policy_are_not_found() {
    let app = spawn_app().await;
    let (_, owner, policy) = holder(&app, "13900002109", true).await;
    let to = redirected(
        &ask(
            &owner,
            &policy,
            &[("李娜", "spouse", &id_number("19820304", 121), "100")],
        )
        .await,
    );
    let id = request_id_of(&to);
    let (other_c, other, _) = holder(&app, "13900002110", true).await;
    assert_eq!(other.get(&format!("/requests/{id}")).await.status(), 404);
    assert_eq!(other.get(&page_of(&policy)).await.status(), 404);
    assert!(!other.page("/requests").await.contains(&id));
    // Asking to change A's policy from B's session goes to a page B cannot see.
    let back = redirected(
        &ask(
            &other,
            &policy,
            &[("李娜", "spouse", &id_number("19820304", 121), "100")],
        )
        .await,
    );
    assert_eq!(back, page_of(&policy));
    assert_eq!(other.get(&back).await.status(), 404);
    assert_eq!(requests_of(&app, &other_c).await, 0);
    // Nobody signed in: the login page.
    assert!(location(
        app.browser()
            .get(&format!("/requests/{id}"))
            .await
            .headers()
    )
    .starts_with("/login"));
    // Staff without the permission never see the queue or act on it.
    app.staff("agent.q", StaffRole::Agent).await;
    let agent = app.browser();
    agent.staff_login("agent.q", PASSWORD).await;
    assert_eq!(agent.get("/staff/requests").await.status(), 404);
    assert!(
        post(&agent, "review_service_request", &[("request_id", &id)])
            .await
            .contains("error=forbidden")
    );
    assert_eq!(request_state(&app, &id).await, "submitted");
}

#[tokio::test]
async fn servicing_forms_from_another_site_are_refused() {
    let app = spawn_app().await;
    let (c, b, policy) = holder(&app, "13900002111", true).await;
    let id = id_number("19820304", 121);
    for (f, form) in [
        (
            "request_beneficiary_change",
            vec![
                ("policy_id", policy.as_str()),
                ("name_1", "李娜"),
                ("relation_1", "spouse"),
                ("id_number_1", id.as_str()),
                ("share_1", "100"),
            ],
        ),
        (
            "change_contact",
            vec![("address", "别人网站上的地址 1 号"), ("email", "")],
        ),
    ] {
        let res = b.post_from_elsewhere(&format!("/api/{f}"), &form).await;
        assert_eq!(res.status(), 403, "{f}");
    }
    assert_eq!(requests_of(&app, &c).await, 0);
}

#[tokio::test]
async fn garbage_huge_and_missing_fields_get_a_message_never_a_500() {
    let app = spawn_app().await;
    let (c, b, policy) = holder(&app, "13900002112", true).await;
    let here = format!("{}{}", b.base, page_of(&policy));
    // Missing fields: back to the form with a message.
    let res = b
        .client
        .post(format!("{}/api/request_beneficiary_change", b.base))
        .header("accept", "text/html")
        .header("referer", &here)
        .form(&[("name_1", "李娜")])
        .send()
        .await
        .unwrap();
    let to = redirected(&res);
    assert!(to.contains("error=missing_field"), "{to}");
    assert!(b.page(&to).await.contains("data-testid=\"form-error\""));
    let res = b
        .post_form("/api/change_contact", &[("email", "a@b.cn")])
        .await;
    assert!(
        res.status().is_client_error() || res.status().is_redirection(),
        "{}",
        res.status()
    );
    // Garbage: control characters, emoji, markup, huge values.
    let huge = "王".repeat(20_000);
    let garbage = [
        ("\u{0}\u{7}", "spouse", "x", "100"),
        ("😀😀", "spouse", "110105198203041213", "100"),
        (
            "<script>alert(1)</script>",
            "spouse",
            "110105198203041213",
            "100",
        ),
        ("李娜", "spouse' OR '1'='1", "110105198203041213", "100"),
        ("李娜", "spouse", "110105198203041213", "１００"),
        (
            "李娜",
            "spouse",
            "110105198203041213",
            "99999999999999999999",
        ),
        (huge.as_str(), "spouse", huge.as_str(), huge.as_str()),
    ];
    for row in garbage {
        let res = ask(&b, &policy, &[row]).await;
        let status = res.status().as_u16();
        assert!((300..500).contains(&status), "{status}");
        if status < 400 {
            let to = location(res.headers());
            assert!(to.contains("?error="), "{to}");
            let page = b.get(&to).await;
            assert_eq!(page.status(), 200);
            let page = page.text().await.unwrap();
            assert!(
                page.contains("data-testid=\"form-error\"") && !page.contains("<script>alert"),
                "{to}"
            );
        }
    }
    let res = b
        .post_form(
            "/api/change_contact",
            &[("address", &"路".repeat(5_000)), ("email", "x@y.cn")],
        )
        .await;
    assert!(redirected(&res).contains("error=contact_address"));
    // A body far over the limit is refused before it is read.
    let big = "a".repeat(3 * 1024 * 1024);
    let res = b
        .post_form("/api/change_contact", &[("address", &big), ("email", "")])
        .await;
    assert!(res.status().is_client_error(), "{}", res.status());
    // Reviewers' functions with nonsense ids.
    let staff = reviewer(&app, "claims.g").await;
    for f in [
        "review_service_request",
        "approve_service_request",
        "reject_service_request",
    ] {
        let res = staff
            .post_form(
                &format!("/api/{f}"),
                &[
                    ("request_id", "../../etc/passwd"),
                    ("reason", "没有这个申请"),
                ],
            )
            .await;
        assert!(res.status().as_u16() < 500, "{f}: {}", res.status());
    }
    assert_eq!(requests_of(&app, &c).await, 0);
}

#[tokio::test]
async fn the_demo_has_requests_in_every_state_for_the_hall_and_the_queue() {
    let app = spawn_app().await;
    app::backend::demo::generate(&app.state, app::backend::demo::DEMO_SEED)
        .await
        .unwrap();
    let states: Vec<(String,)> =
        sqlx::query_as("SELECT DISTINCT state FROM service_requests ORDER BY state")
            .fetch_all(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!(states.len(), 4, "{states:?}");
    // Each request's timeline reaches its state, and a done change took effect.
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM service_requests r WHERE NOT EXISTS (SELECT 1 FROM service_request_events e \
             WHERE e.request_id = r.id AND e.to_state = r.state) AND $1 = $1",
            "x"
        )
        .await,
        0
    );
    assert!(
        app.count(
            "SELECT COUNT(*) FROM beneficiaries WHERE id_number_masked <> '' AND $1 = $1",
            "x"
        )
        .await
            >= 2
    );
}

/// The two challenges of a phone change from the redirect to its code page.
fn challenges_of(location: &str) -> (String, String) {
    let q = location.split_once('?').expect("a query").1;
    let get = |k: &str| {
        q.split('&')
            .find_map(|p| p.strip_prefix(&format!("{k}=")))
            .expect("both challenges")
            .to_owned()
    };
    (get("a"), get("b"))
}

#[tokio::test]
async fn a_phone_change_needs_a_code_from_the_old_and_the_new_number_and_ends_the_other_sessions() {
    let app = spawn_app().await;
    let c = app.customer("13900002120", "周婷", Some(PASSWORD)).await;
    let new = "13900002121";
    let here = app.browser();
    let elsewhere = app.browser();
    assert_eq!(redirected(&here.login(&c.phone, PASSWORD).await), "/");
    assert_eq!(redirected(&elsewhere.login(&c.phone, PASSWORD).await), "/");
    assert!(here
        .page("/requests/new/phone")
        .await
        .contains("data-testid=\"phone-form\""));

    // The number on file, or nonsense: refused, no code sent.
    for (phone, code) in [(c.phone.as_str(), "phone_same"), ("12345", "invalid_phone")] {
        let to = post(&here, "start_phone_change", &[("phone", phone)]).await;
        assert_eq!(to, format!("/requests/new/phone?error={code}"));
    }
    let to = post(&here, "start_phone_change", &[("phone", new)]).await;
    assert!(to.starts_with("/requests/new/phone?a="), "{to}");
    let (a, b) = challenges_of(&to);
    assert!(here
        .page(&to)
        .await
        .contains("data-testid=\"phone-codes-form\""));
    let old_code = app.last_code(&c.phone).await;
    let new_code = app.last_code(new).await;

    // Swapped codes, one code twice, swapped challenges: nothing changes, nothing is used up.
    for (x, y) in [
        (new_code.as_str(), old_code.as_str()),
        (old_code.as_str(), old_code.as_str()),
    ] {
        let to = post(
            &here,
            "confirm_phone_change",
            &[("a", &a), ("b", &b), ("code_old", x), ("code_new", y)],
        )
        .await;
        assert!(to.contains("error=bad_code"), "{to}");
    }
    let swapped = post(
        &here,
        "confirm_phone_change",
        &[
            ("a", &b),
            ("b", &a),
            ("code_old", &new_code),
            ("code_new", &old_code),
        ],
    )
    .await;
    assert!(
        swapped.contains("error=bad_code"),
        "the first code must be the old number's: {swapped}"
    );
    let customer_id = app.customer_id(&c.phone).await;
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM customers WHERE id = $1 AND phone = '13900002120'",
            &customer_id
        )
        .await,
        1
    );

    let to = post(
        &here,
        "confirm_phone_change",
        &[
            ("a", &a),
            ("b", &b),
            ("code_old", &old_code),
            ("code_new", &new_code),
        ],
    )
    .await;
    assert!(to.ends_with("?done=phone"), "{to}");
    let id = request_id_of(&to);
    let (phone,): (String,) = sqlx::query_as("SELECT phone FROM customers WHERE id = $1")
        .bind(&customer_id)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(phone, new);
    // This session stays; the account's other sessions ended.
    assert!(here.page(&to).await.contains("办理完成"));
    assert!(location(elsewhere.get("/").await.headers()).starts_with("/login"));
    assert_eq!(audited(&app, "servicing.phone_changed", &id).await, 1);
    let told = servicing_sms(&app, &c.phone).await;
    assert!(
        told.len() == 1 && told[0].contains("139****2121"),
        "the old number is told: {told:?}"
    );
    // The new number signs in; the old one no longer does.
    assert_eq!(redirected(&app.browser().login(new, PASSWORD).await), "/");
    assert_ne!(
        redirected(&app.browser().login(&c.phone, PASSWORD).await),
        "/"
    );
}

#[tokio::test]
async fn another_accounts_number_is_refused_before_any_code_goes_out() {
    let app = spawn_app().await;
    let c = app.customer("13900002122", "吴磊", Some(PASSWORD)).await;
    let other = app.customer("13900002123", "郑爽", Some(PASSWORD)).await;
    let b = app.browser();
    b.login(&c.phone, PASSWORD).await;
    let before = app.sms_count(&other.phone).await;
    let to = post(&b, "start_phone_change", &[("phone", &other.phone)]).await;
    assert_eq!(to, "/requests/new/phone?error=phone_taken");
    assert_eq!(app.sms_count(&other.phone).await, before);
    assert_eq!(app.sms_count(&c.phone).await, 0);
}
