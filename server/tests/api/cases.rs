//! Complaint and question cases, end to end over HTTP: a customer opens one and gets a
//! number and an SMS at once, the first member of staff to take it owns it and answers it,
//! the deadline moves only with a reason (and a second time only with a supervisor), an
//! answer can be reopened for 30 days — and every way in which that must not go wrong:
//! someone else's case, staff viewing as the customer, two staff taking a case at once,
//! the person complained about owning it, another site's form, nonsense fields.

use crate::access::{assert_read_only, view_as};
use crate::helpers::*;
use app::model::StaffRole;

const DAY: i64 = 86_400;

/// A case of the customer's, opened through the service (no browser needed).
pub(crate) async fn case_of(app: &TestApp, customer_id: &str) -> String {
    use app::backend::domain::cases::CaseText;
    use app::backend::services::cases::{open, About, NewCase};
    use app::model::{CaseCategory, CaseKind};
    let new = NewCase {
        kind: CaseKind::Question,
        category: CaseCategory::Policy,
        subject_id: None,
        about: About::Nobody,
        body: CaseText::parse("我想了解一下保单的续保规则。").unwrap(),
    };
    open(&app.state, customer_id, new, vec![], "127.0.0.1")
        .await
        .unwrap()
}

/// A customer with a policy, signed in.
async fn signed_in(app: &TestApp, phone: &str, name: &str) -> (Customer, Browser) {
    let c = app.customer(phone, name, Some(PASSWORD)).await;
    let b = app.browser();
    assert_eq!(redirected(&b.login(&c.phone, PASSWORD).await), "/");
    (c, b)
}

async fn handler(app: &TestApp, username: &str, role: StaffRole) -> Browser {
    app.staff(username, role).await;
    let b = app.browser();
    assert_eq!(
        redirected(&b.staff_login(username, PASSWORD).await),
        "/staff"
    );
    b
}

/// A fresh sign-in of a member of staff who exists already (sessions end while the test
/// clock jumps days ahead).
async fn again(app: &TestApp, username: &str) -> Browser {
    let b = app.browser();
    assert_eq!(
        redirected(&b.staff_login(username, PASSWORD).await),
        "/staff"
    );
    b
}

/// A fresh sign-in of a customer who exists already.
async fn customer_again(app: &TestApp, phone: &str) -> Browser {
    let b = app.browser();
    assert_eq!(redirected(&b.login(phone, PASSWORD).await), "/");
    b
}

async fn staff_id(app: &TestApp, username: &str) -> String {
    let (id,): (String,) = sqlx::query_as("SELECT id FROM staff WHERE username = $1")
        .bind(username)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    id
}

/// Opens a case through the form; returns where the browser was sent.
async fn open(b: &Browser, kind: &str, about: &str, body: &str) -> String {
    open_fields(b, &[("kind", kind), ("about", about), ("body", body)]).await
}

/// Posts the new-case form (multipart, as the page sends it) with these fields and no files.
async fn open_fields(b: &Browser, fields: &[(&str, &str)]) -> String {
    redirected(&b.post_multipart("/cases/open", fields, &[]).await)
}

/// The customer's reply form (multipart, as the page sends it), without files.
async fn reply(b: &Browser, id: &str, text: &str) -> String {
    redirected(
        &b.post_multipart(&format!("/cases/{id}/reply"), &[("text", text)], &[])
            .await,
    )
}

fn case_id_of(location: &str) -> String {
    location
        .trim_start_matches("/cases/")
        .split('?')
        .next()
        .unwrap()
        .to_owned()
}

async fn column(app: &TestApp, col: &str, id: &str) -> Option<String> {
    let (v,): (Option<String>,) = sqlx::query_as(&format!(
        "SELECT CAST({col} AS TEXT) FROM cases WHERE id = $1"
    ))
    .bind(id)
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    v
}

async fn state_of(app: &TestApp, id: &str) -> String {
    column(app, "state", id).await.unwrap()
}

async fn number(app: &TestApp, col: &str, id: &str) -> i64 {
    column(app, col, id).await.unwrap().parse().unwrap()
}

async fn case_sms(app: &TestApp, phone: &str) -> Vec<String> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT body FROM sms_outbox WHERE phone = $1 AND dedupe_key LIKE 'case:%' ORDER BY created_at, id",
    )
    .bind(phone)
    .fetch_all(&app.state.db.pool)
    .await
    .unwrap();
    rows.into_iter().map(|(b,)| b).collect()
}

async fn cases_of(app: &TestApp, c: &Customer) -> i64 {
    let id = app.customer_id(&c.phone).await;
    app.count("SELECT COUNT(*) FROM cases WHERE customer_id = $1", &id)
        .await
}

/// Takes, acknowledges and starts work on a case as `staff`.
async fn take_and_start(staff: &Browser, id: &str) {
    let back = format!("/staff/cases/{id}");
    assert_eq!(
        post(staff, "take_case", &[("case_id", id)]).await,
        format!("{back}?done=taken")
    );
    for to in ["acknowledged", "in_progress"] {
        assert_eq!(
            post(staff, "move_case", &[("case_id", id), ("to", to)]).await,
            format!("{back}?done={to}")
        );
    }
}

async fn resolve(staff: &Browser, id: &str) -> String {
    post(
        staff,
        "resolve_case",
        &[
            ("case_id", id),
            (
                "text",
                "经核查，保费变化来自无赔款优待系数调整，详见续保页面。",
            ),
            ("root_cause", "explained"),
        ],
    )
    .await
}

#[tokio::test]
async fn a_case_gets_a_number_and_an_sms_at_once_and_its_owner_answers_it() {
    let app = spawn_app().await;
    let (c, b) = signed_in(&app, "13900002301", "王伟").await;
    let policy = app.policy_of(&c.phone).await;
    let staff = handler(&app, "agent.c1", StaffRole::Agent).await;

    let form = b.page("/cases/new").await;
    assert!(form.contains("data-testid=\"case-form\""));
    assert!(
        form.contains(&format!("value=\"policy:{policy}\"")),
        "the customer's own policy is offered"
    );
    assert!(
        b.page("/").await.contains("href=\"/cases\""),
        "linked from home"
    );

    let to = open(
        &b,
        "complaint",
        &format!("policy:{policy}"),
        "续保后保费涨了很多，没有人解释原因。",
    )
    .await;
    assert!(to.ends_with("?done=opened"), "{to}");
    let id = case_id_of(&to);
    assert!(id.len() >= 22, "an unguessable id");
    let year = chrono::Datelike::year(&app.clock.today_shanghai());
    let case_no = column(&app, "case_no", &id).await.unwrap();
    assert_eq!(case_no, format!("TS{year}-000001"));
    let received = number(&app, "received_at", &id).await;
    assert_eq!(number(&app, "due_at", &id).await, received + 15 * DAY);
    assert_eq!(
        column(&app, "subject_id", &id).await.as_deref(),
        Some(policy.as_str())
    );
    let sms = case_sms(&app, &c.phone).await;
    assert_eq!(sms.len(), 1, "{sms:?}");
    assert!(
        sms[0].contains(&case_no) && sms[0].contains("/s/"),
        "{}",
        sms[0]
    );
    let page = b.page(&to).await;
    assert!(page.contains(&case_no) && page.contains("已受理"));
    assert!(page.contains("收到后 15 天内答复"), "the deadline and why");
    assert!(page.contains("正在分配处理人"));
    assert!(b.page("/cases").await.contains(&format!("/cases/{id}")));
    assert_eq!(audited(&app, "case.opened", &id).await, 1);
    // The next case is the next number of the year.
    let second = open(&b, "question", "claim:", "我的理赔一般要多久能到账？").await;
    assert_eq!(
        column(&app, "case_no", &case_id_of(&second)).await.unwrap(),
        format!("TS{year}-000002")
    );

    // The queue shows it, soonest due first; the handler takes it, works on it, answers.
    let queue = staff.page("/staff/cases").await;
    assert!(queue.contains(&format!("/staff/cases/{id}")));
    assert!(staff
        .page("/staff/cases?category=payment")
        .await
        .contains("共 0 件"));
    take_and_start(&staff, &id).await;
    assert_eq!(
        column(&app, "owner_staff_id", &id).await,
        Some(staff_id(&app, "agent.c1").await)
    );
    let back = format!("/staff/cases/{id}");
    assert_eq!(
        post(
            &staff,
            "answer_case",
            &[
                ("case_id", &id),
                ("text", "您好，我们正在核对您的续保报价。")
            ]
        )
        .await,
        format!("{back}?done=replied")
    );
    assert_eq!(
        reply(&b, &id, "好的，等您消息。").await,
        format!("/cases/{id}?done=replied")
    );
    let mine = b.page(&format!("/cases/{id}")).await;
    assert!(mine.contains("处理中") && mine.contains("我们正在核对"));
    assert!(
        mine.contains("客服坐席 测***"),
        "the owner's role and masked name"
    );
    assert!(!mine.contains("测试员工"), "never the whole name");

    assert_eq!(resolve(&staff, &id).await, format!("{back}?done=resolved"));
    assert_eq!(state_of(&app, &id).await, "resolved");
    let answered = b.page(&format!("/cases/{id}")).await;
    assert!(answered.contains("已答复") && answered.contains("无赔款优待系数"));
    for route in ["核查", "调解", "仲裁", "诉讼"] {
        assert!(answered.contains(route), "{route}");
    }
    assert!(
        !answered.contains("无过错，已解释说明"),
        "the root cause is for staff"
    );
    assert!(answered.contains("data-testid=\"reopen-form\""));
    let sms = case_sms(&app, &c.phone).await;
    // Texts of one second tie on their time: look for it among them.
    assert_eq!(
        sms.iter().filter(|m| m.contains("已答复")).count(),
        1,
        "{sms:?}"
    );
    assert_eq!(
        post(&staff, "move_case", &[("case_id", &id), ("to", "closed")]).await,
        format!("{back}?done=closed")
    );
    for action in [
        "case.taken",
        "case.acknowledged",
        "case.in_progress",
        "case.reply",
        "case.resolved",
        "case.closed",
    ] {
        assert!(audited(&app, action, &id).await >= 1, "{action}");
    }
    // One entry per one-time step, whatever is posted twice.
    assert!(
        post(&staff, "move_case", &[("case_id", &id), ("to", "closed")])
            .await
            .contains("error=case_moved")
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM case_events WHERE case_id = $1 AND to_state = 'closed'",
            &id
        )
        .await,
        1
    );
}

#[tokio::test]
async fn another_customers_case_is_not_found() {
    let app = spawn_app().await;
    let (_, owner) = signed_in(&app, "13900002302", "甲客户").await;
    let to = open(&owner, "question", "policy:", "保单可以提前续保吗？").await;
    let id = case_id_of(&to);
    let (other_c, other) = signed_in(&app, "13900002303", "乙客户").await;
    assert_eq!(other.get(&format!("/cases/{id}")).await.status(), 404);
    assert!(!other.page("/cases").await.contains(&id));
    for (f, form) in [
        ("withdraw_case", vec![("case_id", id.as_str())]),
        (
            "reopen_case",
            vec![("case_id", id.as_str()), ("text", "我是别人，我来重开")],
        ),
    ] {
        let back = post(&other, f, &form).await;
        assert_eq!(back, format!("/cases/{id}"), "{f}");
        assert_eq!(other.get(&back).await.status(), 404, "{f}");
    }
    let back = reply(&other, &id, "我是别人，我来回复").await;
    assert_eq!(back, format!("/cases/{id}"), "reply");
    assert_eq!(other.get(&back).await.status(), 404, "reply");
    // Nor are its files.
    let res = other.get(&format!("/cases/{id}/files/anything")).await;
    assert_eq!(res.status(), 404);
    assert_eq!(state_of(&app, &id).await, "received");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM case_events WHERE case_id = $1", &id)
            .await,
        1
    );
    // Another customer's policy is not something to complain about here.
    let a_policy = app.policy_of("13900002302").await;
    let refused = open(
        &other,
        "complaint",
        &format!("policy:{a_policy}"),
        "这张保单有问题。",
    )
    .await;
    assert_eq!(refused, "/cases/new?error=case_subject");
    assert_eq!(cases_of(&app, &other_c).await, 0);
    // Nobody signed in: the login page; a member of staff is not a customer.
    assert!(
        location(app.browser().get(&format!("/cases/{id}")).await.headers()).starts_with("/login")
    );
    let staff = handler(&app, "agent.c2", StaffRole::Agent).await;
    assert!(location(staff.get("/cases").await.headers()).starts_with("/login"));
    assert_eq!(
        staff.get(&format!("/staff/cases/{id}")).await.status(),
        200,
        "every role handles cases"
    );
    assert_eq!(staff.get("/staff/cases/nonsense").await.status(), 404);
}

#[tokio::test]
async fn staff_viewing_as_the_customer_can_read_but_never_open_or_withdraw_a_case() {
    let app = spawn_app().await;
    let (c, owner) = signed_in(&app, "13900002304", "陈明").await;
    let to = open(
        &owner,
        "complaint",
        "service:",
        "预约的体检被取消了，没有通知。",
    )
    .await;
    let id = case_id_of(&to);
    let staff = handler(&app, "agent.view", StaffRole::Agent).await;
    view_as(&staff, &app.customer_id(&c.phone).await).await;
    let page = staff.page(&format!("/cases/{id}")).await;
    assert!(page.contains("已受理") && page.contains("只有客户本人"));
    assert!(!page.contains("data-testid=\"withdraw-form\""));
    assert!(staff.page("/cases").await.contains(&id));
    assert!(staff.page("/cases/new").await.contains("只有客户本人"));
    // The forms that carry files are plain routes: back to the page, told why.
    let opened = staff
        .post_multipart(
            "/cases/open",
            &[
                ("kind", "question"),
                ("about", "policy:"),
                ("body", "代客户提交的问题"),
            ],
            &[],
        )
        .await;
    assert_read_only(opened, "open").await;
    let replied = staff
        .post_multipart(
            &format!("/cases/{id}/reply"),
            &[("text", "代客户回复的内容")],
            &[],
        )
        .await;
    assert_read_only(replied, "reply").await;
    assert_read_only(
        staff
            .post_form("/api/withdraw_case", &[("case_id", id.as_str())])
            .await,
        "withdraw_case",
    )
    .await;
    assert!(!page.contains("data-testid=\"reply-form\""));
    assert_eq!(cases_of(&app, &c).await, 1);
    assert_eq!(state_of(&app, &id).await, "received");
}

#[tokio::test]
async fn two_staff_taking_one_case_at_once_make_one_owner() {
    let app = spawn_app().await;
    let (_, b) = signed_in(&app, "13900002305", "周婷").await;
    let id = case_id_of(&open(&b, "complaint", "claim:", "理赔拖了很久没有进展。").await);
    let mut staff = vec![];
    for n in 0..4 {
        staff.push(handler(&app, &format!("agent.race{n}"), StaffRole::Agent).await);
    }
    let form = [("case_id", id.as_str())];
    let results =
        futures::future::join_all(staff.iter().map(|s| s.post_form("/api/take_case", &form))).await;
    let targets: Vec<String> = results.iter().map(redirected).collect();
    let won = targets
        .iter()
        .filter(|t| t.ends_with("?done=taken"))
        .count();
    let lost = targets
        .iter()
        .filter(|t| t.contains("error=case_moved"))
        .count();
    assert_eq!((won, lost), (1, 3), "{targets:?}");
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM case_events WHERE case_id = $1 AND kind = 'taken'",
            &id
        )
        .await,
        1
    );
    assert_eq!(audited(&app, "case.taken", &id).await, 1);
    let winner = targets
        .iter()
        .position(|t| t.ends_with("?done=taken"))
        .unwrap();
    let owner = column(&app, "owner_staff_id", &id).await.unwrap();
    assert_eq!(owner, staff_id(&app, &format!("agent.race{winner}")).await);
    // The losers cannot act as owners.
    let loser = &staff[(winner + 1) % 4];
    assert!(post(
        loser,
        "move_case",
        &[("case_id", &id), ("to", "acknowledged")]
    )
    .await
    .contains("error=case_not_owner"));
    assert_eq!(state_of(&app, &id).await, "received");
}

#[tokio::test]
async fn the_deadline_is_fifteen_days_thirty_with_a_reason_sixty_with_a_supervisor() {
    let app = spawn_app().await;
    let (c, b) = signed_in(&app, "13900002306", "林晓燕").await;
    let id = case_id_of(&open(&b, "complaint", "payment:", "同一笔保费被扣了两次。").await);
    let received = number(&app, "received_at", &id).await;
    let agent = handler(&app, "agent.ext", StaffRole::Agent).await;
    handler(&app, "super.ext", StaffRole::Supervisor).await;
    take_and_start(&agent, &id).await;
    let back = format!("/staff/cases/{id}");

    // Warnings at half and at 80 % of the time, in the queue and on the case.
    assert!(!agent
        .page("/staff/cases")
        .await
        .contains("data-testid=\"warning-"));
    app.clock.advance(8 * DAY);
    let agent = again(&app, "agent.ext").await;
    assert!(agent.page("/staff/cases").await.contains("warning-half"));
    app.clock.advance(4 * DAY + 3600);
    let (agent, boss) = (
        again(&app, "agent.ext").await,
        again(&app, "super.ext").await,
    );
    let b = customer_again(&app, &c.phone).await;
    assert!(agent.page("/staff/cases").await.contains("warning-late"));
    assert!(b.page(&format!("/cases/{id}")).await.contains("已过 80%"));

    // No reason, no extension; the first needs the owner, with a reason the customer reads.
    assert!(
        post(&agent, "extend_case", &[("case_id", &id), ("reason", "")])
            .await
            .contains("error=reason_required")
    );
    assert!(post(
        &boss,
        "extend_case",
        &[("case_id", &id), ("reason", "需要银行回单")]
    )
    .await
    .contains("error=case_not_owner"));
    let reason = "需要银行提供扣款流水，预计两周";
    assert_eq!(
        post(
            &agent,
            "extend_case",
            &[("case_id", &id), ("reason", reason)]
        )
        .await,
        format!("{back}?done=extended")
    );
    assert_eq!(number(&app, "due_at", &id).await, received + 30 * DAY);
    let sms = case_sms(&app, &c.phone).await;
    assert_eq!(
        sms.iter().filter(|m| m.contains(reason)).count(),
        1,
        "{sms:?}"
    );
    let page = b.page(&format!("/cases/{id}")).await;
    assert!(page.contains("已延长至收到后 30 天") && page.contains(reason));
    assert!(!agent
        .page("/staff/cases")
        .await
        .contains("data-testid=\"warning-"));

    // The second: not by an agent; by a supervisor, recorded as their approval.
    assert!(post(
        &agent,
        "extend_case",
        &[("case_id", &id), ("reason", "还需要更多时间")]
    )
    .await
    .contains("error=extension_approval"));
    assert_eq!(
        post(
            &boss,
            "extend_case",
            &[("case_id", &id), ("reason", "银行流水需总行调取")]
        )
        .await,
        format!("{back}?done=extended")
    );
    assert_eq!(number(&app, "due_at", &id).await, received + 60 * DAY);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM case_extensions WHERE case_id = $1 AND step = 2 AND approved_by IS NOT NULL",
            &id
        )
        .await,
        1
    );
    assert_eq!(audited(&app, "case.extension_approved", &id).await, 1);
    assert!(b
        .page(&format!("/cases/{id}"))
        .await
        .contains("经主管批准延长至收到后 60 天"));
    assert!(post(
        &boss,
        "extend_case",
        &[("case_id", &id), ("reason", "再延长一次")]
    )
    .await
    .contains("error=extension_max"));
    assert_eq!(
        case_sms(&app, &c.phone).await.len(),
        3,
        "opened, extended twice"
    );
    // Past the deadline it is overdue.
    app.clock.advance(49 * DAY);
    let agent = again(&app, "agent.ext").await;
    assert!(agent.page("/staff/cases").await.contains("warning-overdue"));
}

#[tokio::test]
async fn an_answer_can_be_reopened_for_thirty_days_and_withdrawn_cases_stay_withdrawn() {
    let app = spawn_app().await;
    let (_, b) = signed_in(&app, "13900002307", "黄磊").await;
    let id = case_id_of(&open(&b, "question", "policy:", "保单的免赔额是多少？").await);
    let staff = handler(&app, "agent.re", StaffRole::Agent).await;
    take_and_start(&staff, &id).await;
    resolve(&staff, &id).await;
    app.clock.advance(10 * DAY);
    let (b, staff) = (
        customer_again(&app, "13900002307").await,
        again(&app, "agent.re").await,
    );
    assert!(post(&b, "reopen_case", &[("case_id", &id), ("text", "短")])
        .await
        .contains("error=case_text"));
    assert_eq!(
        post(
            &b,
            "reopen_case",
            &[("case_id", &id), ("text", "答复没有说清楚免赔额怎么算。")]
        )
        .await,
        format!("/cases/{id}?done=reopened")
    );
    assert_eq!(state_of(&app, &id).await, "reopened");
    assert_eq!(number(&app, "round", &id).await, 1);
    let now = app.clock.now();
    let due = number(&app, "due_at", &id).await;
    assert!((now + 15 * DAY - due).abs() < 5, "a new 15-day clock");
    // The owner works on it again and answers again; the steps of round 1 are its own.
    let back = format!("/staff/cases/{id}");
    assert_eq!(
        post(
            &staff,
            "move_case",
            &[("case_id", &id), ("to", "in_progress")]
        )
        .await,
        format!("{back}?done=in_progress")
    );
    assert_eq!(resolve(&staff, &id).await, format!("{back}?done=resolved"));
    // 31 days later it can no longer be reopened.
    app.clock.advance(31 * DAY);
    let (b, staff) = (
        customer_again(&app, "13900002307").await,
        again(&app, "agent.re").await,
    );
    assert!(!b
        .page(&format!("/cases/{id}"))
        .await
        .contains("data-testid=\"reopen-form\""));
    assert!(post(
        &b,
        "reopen_case",
        &[("case_id", &id), ("text", "还是不满意这个答复。")]
    )
    .await
    .contains("error=reopen_window"));
    assert_eq!(state_of(&app, &id).await, "resolved");

    // A withdrawn case: withdrawn any time while open, then nothing more.
    let other = case_id_of(&open(&b, "complaint", "claim:", "理赔员态度不好。").await);
    assert_eq!(
        post(&b, "withdraw_case", &[("case_id", &other)]).await,
        format!("/cases/{other}?done=withdrawn")
    );
    assert_eq!(state_of(&app, &other).await, "withdrawn");
    assert!(post(&b, "withdraw_case", &[("case_id", &other)])
        .await
        .contains("error=case_moved"));
    assert!(post(&staff, "take_case", &[("case_id", &other)])
        .await
        .contains("error=case_moved"));
}

#[tokio::test]
async fn the_member_of_staff_complained_about_can_never_own_the_case() {
    let app = spawn_app().await;
    let (c, b) = signed_in(&app, "13900002308", "赵敏").await;
    // agent.rude viewed the customer's account (so the customer may name them).
    let rude = handler(&app, "agent.rude", StaffRole::Agent).await;
    view_as(&rude, &app.customer_id(&c.phone).await).await;
    redirected(&rude.post_form("/api/end_view_as", &[]).await);
    let rude_id = staff_id(&app, "agent.rude").await;
    let form = b.page("/cases/new").await;
    assert!(
        form.contains(&format!("value=\"{rude_id}\"")),
        "offered to name"
    );
    // Someone who never served them cannot be named; nobody at all neither.
    let stranger = handler(&app, "agent.never", StaffRole::Agent).await;
    let never_id = staff_id(&app, "agent.never").await;
    let refused = open_fields(
        &b,
        &[
            ("kind", "complaint"),
            ("about", "staff:"),
            ("about_staff", &never_id),
            ("body", "这个人服务很差。"),
        ],
    )
    .await;
    assert_eq!(refused, "/cases/new?error=case_subject");
    assert_eq!(
        open(&b, "complaint", "staff:", "客服态度不好。").await,
        "/cases/new?error=case_staff"
    );
    let to = open_fields(
        &b,
        &[
            ("kind", "complaint"),
            ("about", "staff:"),
            ("about_staff", &rude_id),
            ("body", "客服在电话里态度很差。"),
        ],
    )
    .await;
    let id = case_id_of(&to);
    assert_eq!(
        column(&app, "about_staff_id", &id).await,
        Some(rude_id.clone())
    );
    // The customer sees whom it is about only masked.
    assert!(b.page(&format!("/cases/{id}")).await.contains("测***"));

    let page = rude.page(&format!("/staff/cases/{id}")).await;
    assert!(page.contains("不能由您处理") && !page.contains("data-testid=\"take\""));
    assert!(post(&rude, "take_case", &[("case_id", &id)])
        .await
        .contains("error=case_complained_about"));
    assert_eq!(column(&app, "owner_staff_id", &id).await, None);

    // Taken by someone else, it can never be handed to them either; to a third, yes.
    let fair = handler(&app, "agent.fair", StaffRole::Agent).await;
    take_and_start(&fair, &id).await;
    assert!(!fair
        .page(&format!("/staff/cases/{id}"))
        .await
        .contains(&format!("option value=\"{rude_id}\"")));
    assert!(post(
        &fair,
        "hand_over_case",
        &[("case_id", &id), ("to_staff", &rude_id)]
    )
    .await
    .contains("error=case_complained_about"));
    assert_eq!(
        post(
            &fair,
            "hand_over_case",
            &[("case_id", &id), ("to_staff", &never_id)]
        )
        .await,
        format!("/staff/cases/{id}?done=handover_offered")
    );
    assert!(post(&rude, "accept_case", &[("case_id", &id)])
        .await
        .contains("error=case_complained_about"));
    // Until the new owner accepts, the case stays with the old one.
    assert_eq!(
        column(&app, "owner_staff_id", &id).await,
        Some(staff_id(&app, "agent.fair").await)
    );
    assert_eq!(
        post(&stranger, "accept_case", &[("case_id", &id)]).await,
        format!("/staff/cases/{id}?done=handover_accepted")
    );
    assert_eq!(column(&app, "owner_staff_id", &id).await, Some(never_id));
    assert_eq!(audited(&app, "case.handover_offered", &id).await, 1);
    assert_eq!(audited(&app, "case.handover_accepted", &id).await, 1);
    // The database refuses it too, whatever the code.
    let direct = sqlx::query("UPDATE cases SET owner_staff_id = about_staff_id WHERE id = $1")
        .bind(&id)
        .execute(&app.state.db.pool)
        .await;
    assert!(direct.is_err(), "the CHECK holds");
}

#[tokio::test]
async fn case_forms_from_another_site_are_refused() {
    let app = spawn_app().await;
    let (c, b) = signed_in(&app, "13900002309", "孙丽").await;
    let id = case_of(&app, &app.customer_id(&c.phone).await).await;
    let res = b
        .post_from_elsewhere("/api/withdraw_case", &[("case_id", id.as_str())])
        .await;
    assert_eq!(res.status(), 403, "withdraw_case");
    for (path, fields) in [
        (
            "/cases/open".to_owned(),
            vec![
                ("kind", "complaint"),
                ("about", "policy:"),
                ("body", "别人网站上提交的投诉"),
            ],
        ),
        (
            format!("/cases/{id}/reply"),
            vec![("text", "别人网站上的回复")],
        ),
    ] {
        let mut form = reqwest::multipart::Form::new();
        for (k, v) in fields {
            form = form.text(k, v);
        }
        let res = b
            .client
            .post(format!("{}{path}", b.base))
            .header("origin", "http://evil.example")
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403, "{path}");
    }
    assert_eq!(cases_of(&app, &c).await, 1);
    assert_eq!(state_of(&app, &id).await, "received");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM case_events WHERE case_id = $1", &id)
            .await,
        1
    );
}

#[tokio::test]
async fn garbage_huge_and_missing_fields_get_a_message_never_a_500() {
    let app = spawn_app().await;
    let (c, b) = signed_in(&app, "13900002310", "钱多多").await;
    // Missing fields: back to the form with a message.
    let to = open_fields(&b, &[("kind", "complaint")]).await;
    assert_eq!(to, "/cases/new?error=case_kind");
    assert!(b.page(&to).await.contains("data-testid=\"form-error\""));
    // Not a form at all.
    let res = b
        .client
        .post(format!("{}/cases/open", b.base))
        .header("content-type", "multipart/form-data; boundary=x")
        .body("this is not multipart")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let huge = "投".repeat(2_001);
    for (kind, about, body, code) in [
        ("praise", "policy:", "这不是一个合法的类型。", "case_kind"),
        (
            "complaint",
            "weather:",
            "这不是一个合法的类别。",
            "case_kind",
        ),
        (
            "complaint",
            "policy:../../etc",
            "路径一样的编号。",
            "case_subject",
        ),
        ("complaint", "policy:", "短", "case_text"),
        (
            "complaint",
            "policy:",
            "\u{0}\u{7}控制字符\u{1b}",
            "case_text",
        ),
        ("complaint", "policy:", huge.as_str(), "case_text"),
        (
            "complaint' OR '1'='1",
            "policy:",
            "注入一样的类型。",
            "case_kind",
        ),
    ] {
        let to = open(&b, kind, about, body).await;
        assert_eq!(to, format!("/cases/new?error={code}"), "{kind} {about}");
        let page = b.page(&to).await;
        assert!(page.contains("data-testid=\"form-error\""), "{to}");
    }
    // Markup is kept as text, never run.
    let to = open(
        &b,
        "question",
        "policy:",
        "<script>alert(1)</script> 这是什么？",
    )
    .await;
    let page = b.page(&to).await;
    assert!(!page.contains("<script>alert(1)") && page.contains("&lt;script&gt;"));
    // A body far over the limit is not read past the limit, and not kept as a draft.
    let big = "投".repeat(200_000);
    let refused = open(&b, "complaint", "policy:", &big).await;
    assert_eq!(refused, "/cases/new?error=case_text");
    assert!(!b.page(&refused).await.contains("投投投投投投投投"));
    // Handlers' functions with nonsense.
    let staff = handler(&app, "agent.g", StaffRole::Agent).await;
    for f in [
        "take_case",
        "move_case",
        "answer_case",
        "resolve_case",
        "extend_case",
        "hand_over_case",
        "accept_case",
    ] {
        let res = staff
            .post_form(
                &format!("/api/{f}"),
                &[
                    ("case_id", "../../etc/passwd"),
                    ("to", "nowhere"),
                    ("text", "没有这件投诉的内容"),
                    ("reason", "没有这件投诉"),
                    ("root_cause", "weather"),
                    ("to_staff", "nobody"),
                ],
            )
            .await;
        assert!(res.status().as_u16() < 500, "{f}: {}", res.status());
    }
    let id = case_id_of(&to);
    take_and_start(&staff, &id).await;
    assert!(post(
        &staff,
        "resolve_case",
        &[
            ("case_id", &id),
            ("text", "答复的内容在这里。"),
            ("root_cause", "weather")
        ]
    )
    .await
    .contains("error=root_cause"));
    assert!(post(
        &staff,
        "move_case",
        &[("case_id", &id), ("to", "withdrawn")]
    )
    .await
    .contains("error=case_moved"));
    assert_eq!(cases_of(&app, &c).await, 1);
}

#[tokio::test]
async fn the_demo_has_cases_in_every_state_for_the_pages_and_the_queue() {
    let app = spawn_app().await;
    app::backend::demo::generate(&app.state, app::backend::demo::DEMO_SEED)
        .await
        .unwrap();
    let states: Vec<(String,)> = sqlx::query_as("SELECT DISTINCT state FROM cases ORDER BY state")
        .fetch_all(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(states.len(), 7, "{states:?}");
    let app_ref = &app;
    let any = |sql: &'static str| async move { app_ref.count(sql, "x").await };
    assert!(
        any("SELECT COUNT(*) FROM cases WHERE extensions = 1 AND $1 = $1").await >= 1,
        "one extended with a reason"
    );
    let now = app.clock.now();
    let (late,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM cases WHERE state = 'in_progress' AND extensions = 0 AND ($1 - clock_start_at) * 10 >= (due_at - clock_start_at) * 8 AND $1 <= due_at",
    )
    .bind(now)
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    assert!(late >= 1, "one past its 80 % warning");
    let (reopenable,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM cases WHERE state = 'resolved' AND resolved_at > $1")
            .bind(now - 30 * DAY)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert!(reopenable >= 1, "one answered within the reopen window");
    // Each case's timeline reaches its state.
    assert_eq!(
        any("SELECT COUNT(*) FROM cases k WHERE NOT EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = k.id AND e.to_state = k.state) AND $1 = $1").await,
        0
    );
    // Customer 1 sees theirs; the supervisor's queue shows the open ones.
    let b = app.browser();
    assert_eq!(
        redirected(&b.login("13800000001", "Anxin-Demo-2026").await),
        "/"
    );
    assert!(b.page("/cases").await.contains("data-testid=\"case-card\""));
    let s = app.browser();
    assert_eq!(
        redirected(&s.staff_login("super.zhang", "Anxin-Staff-2026").await),
        "/staff"
    );
    assert!(s
        .page("/staff/cases")
        .await
        .contains("data-testid=\"case-row\""));
}

const JPEG: &[u8] = include_bytes!("fixtures/photo.jpg");
const PNG: &[u8] = include_bytes!("fixtures/scan.png");
const PDF: &[u8] = include_bytes!("fixtures/estimate.pdf");

/// The file links on a page (`/cases/{id}/files/{file}`).
fn file_links(page: &str, id: &str) -> Vec<String> {
    let prefix = format!("/cases/{id}/files/");
    page.match_indices(&prefix)
        .map(|(at, _)| {
            page[at..]
                .chars()
                .take_while(|c| *c != '"')
                .collect::<String>()
        })
        .collect()
}

#[tokio::test]
async fn the_case_sms_link_lands_on_that_case_to_read_and_reply_nothing_else() {
    let app = spawn_app().await;
    let (c, b) = signed_in(&app, "13900002320", "冯静").await;
    let id = case_id_of(&open(&b, "question", "policy:", "我的保单什么时候到期？").await);
    app.clock.advance(60);
    let other = case_id_of(&open(&b, "complaint", "policy:", "另一件投诉的内容。").await);
    // The opening SMS carries a short link, not the signed-in page's address.
    let sms = app.last_sms(&c.phone).await.unwrap();
    assert!(sms.contains("/s/") && !sms.contains("/cases/"), "{sms}");
    let code = app.newest_link_code(&c.phone).await;
    let phone = app.browser();
    let landing = phone.page(&format!("/s/{code}")).await;
    assert!(
        landing.contains("投诉与咨询进度"),
        "the landing says what it is for"
    );
    // The newest SMS is the second case's: its link opens that case only.
    let to = redirected(
        &phone
            .post_form(
                "/api/check_link",
                &[("code", &code), ("id_last4", &c.id_last4)],
            )
            .await,
    );
    assert_eq!(to, format!("/cases/{other}"));
    let page = phone.page(&to).await;
    assert!(page.contains("另一件投诉的内容") && page.contains("data-testid=\"reply-form\""));
    assert!(page.contains("data-testid=\"link-only\""));
    assert!(!page.contains("data-testid=\"withdraw-form\""));
    // Reply with a photo, by the link.
    let res = phone
        .post_multipart(
            &format!("/cases/{other}/reply"),
            &[("text", "补充一张现场照片。")],
            &[("file", "scene.jpg", JPEG.to_vec())],
        )
        .await;
    assert_eq!(redirected(&res), format!("/cases/{other}?done=replied"));
    let page = phone.page(&format!("/cases/{other}")).await;
    assert!(page.contains("补充一张现场照片"));
    let files = file_links(&page, &other);
    assert_eq!(files.len(), 1, "{page}");
    let res = phone.get(&files[0]).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/jpeg");
    // Nothing else: the other case, the list, withdrawing, the policies.
    assert_eq!(phone.get(&format!("/cases/{id}")).await.status(), 404);
    assert_eq!(
        reply(&phone, &id, "用别的链接回复。").await,
        format!("/login?next=/cases/{id}")
    );
    let to_login = redirected(&phone.get("/cases").await);
    assert!(to_login.starts_with("/login"), "{to_login}");
    assert!(redirected(&phone.get("/policies").await).starts_with("/login"));
    // The login page shows its form to a link session (it used to send it home, and home
    // sent it back: a loop in a real browser), and signing in there opens the whole account.
    let login = phone.page(&to_login).await;
    assert!(login.contains("data-testid=\"login-form\""), "{login}");
    let back = post(&phone, "withdraw_case", &[("case_id", &other)]).await;
    assert!(back.starts_with("/login"), "{back}");
    assert_eq!(state_of(&app, &other).await, "received");
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM case_events WHERE case_id = $1 AND kind = 'reply'",
            &id
        )
        .await,
        0
    );
    // Signing in on the same phone makes it the customer's own session: both cases.
    assert_eq!(redirected(&phone.login(&c.phone, PASSWORD).await), "/");
    let list = phone.page("/cases").await;
    assert!(list.contains(&id) && list.contains(&other), "{list}");
}

#[tokio::test]
async fn a_case_carries_up_to_five_attachments_under_the_claims_upload_rules() {
    let app = spawn_app().await;
    let (c, b) = signed_in(&app, "13900002321", "韩梅").await;
    let fields = [
        ("kind", "complaint"),
        ("about", "policy:"),
        ("about_name", ""),
        ("body", "理赔款一直没有到账，附上银行流水和通话截图。"),
    ];
    // Six files: refused, nothing made, and what was typed is still on the form.
    let six: Vec<(&str, &str, Vec<u8>)> =
        (0..6).map(|_| ("file", "shot.png", PNG.to_vec())).collect();
    let res = b.post_multipart("/cases/open", &fields, &six).await;
    assert_eq!(redirected(&res), "/cases/new?error=case_too_many_files");
    assert_eq!(cases_of(&app, &c).await, 0);
    let form = b.page("/cases/new?error=case_too_many_files").await;
    assert!(form.contains("理赔款一直没有到账"), "the text is kept");
    assert!(form.contains("data-testid=\"draft-kept\""));
    assert!(
        form.contains("value=\"complaint\" checked"),
        "the kind is kept"
    );
    // A file that is not a photo or PDF, and a HEIC photo: refused the same way.
    for (name, bytes, code) in [
        ("notes.txt", b"just text".to_vec(), "file_type"),
        (
            "IMG_0001.HEIC",
            [&[0, 0, 0, 24][..], b"ftypheic", &[0; 12]].concat(),
            "file_heic",
        ),
    ] {
        let res = b
            .post_multipart("/cases/open", &fields, &[("file", name, bytes)])
            .await;
        let to = redirected(&res);
        assert!(to.starts_with("/cases/new?error="), "{to}");
        assert!(!to.contains("opened"), "{name}: {to} ({code})");
    }
    assert_eq!(cases_of(&app, &c).await, 0);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM case_files WHERE $1 = $1", "x")
            .await,
        0
    );
    // Five: a photo, a scan, a PDF and two more.
    let five = vec![
        ("file", "bank.jpg", crate::claims::photo_with_location()),
        ("file", "call.png", PNG.to_vec()),
        ("file", "letter.pdf", PDF.to_vec()),
        ("file", "more.png", PNG.to_vec()),
        ("file", "", Vec::new()),
        ("file", "last.jpg", JPEG.to_vec()),
    ];
    let res = b.post_multipart("/cases/open", &fields, &five).await;
    let to = redirected(&res);
    assert!(to.ends_with("?done=opened"), "{to}");
    let id = case_id_of(&to);
    let page = b.page(&format!("/cases/{id}")).await;
    let files = file_links(&page, &id);
    assert_eq!(files.len(), 5, "an empty file input is no file");
    assert!(page.contains("letter.pdf") && page.contains("bank.jpg"));
    // The draft is gone once the form went through.
    assert!(!b.page("/cases/new").await.contains("理赔款一直没有到账"));
    // Photos lose their metadata on the way in, as claim photos do.
    let mut types = vec![];
    for f in &files {
        let res = b.get(f).await;
        let kind = res.headers()["content-type"].to_str().unwrap().to_owned();
        if kind == "application/pdf" {
            let how = res.headers()["content-disposition"].to_str().unwrap();
            assert!(
                how.starts_with("attachment"),
                "a PDF is downloaded, not run"
            );
        }
        if kind == "image/jpeg" {
            let photo = res.bytes().await.unwrap();
            assert!(!photo.windows(4).any(|w| w == b"Exif"), "EXIF removed");
        }
        types.push(kind);
    }
    types.sort();
    assert_eq!(
        types,
        [
            "application/pdf",
            "image/jpeg",
            "image/jpeg",
            "image/png",
            "image/png"
        ]
    );
    // Another customer, anonymous: not found, or the sign-in page.
    let (_, stranger) = signed_in(&app, "13900002322", "路人").await;
    assert_eq!(stranger.get(&files[0]).await.status(), 404);
    let anon = app.browser();
    assert!(redirected(&anon.get(&files[0]).await).starts_with("/login"));
    // The case's handler may open it; staff without the permission may not.
    let staff = handler(&app, "agent.files", StaffRole::Agent).await;
    assert_eq!(staff.get(&files[1]).await.status(), 200);
    assert!(staff
        .page(&format!("/staff/cases/{id}"))
        .await
        .contains(&files[1]));
}

#[tokio::test]
async fn staff_link_a_document_the_portal_holds_instead_of_asking_for_it_again() {
    use app::backend::domain::claims::DocKind;
    use app::backend::domain::uploads::FileKind;
    use app::backend::services::claims::{report, PayoutChoice, Report, Upload};
    let app = spawn_app().await;
    let (c, b) = signed_in(&app, "13900002323", "卫东").await;
    let customer_id = app.customer_id(&c.phone).await;
    let (policy_id,): (String,) = sqlx::query_as("SELECT id FROM policies WHERE policy_no = $1")
        .bind(&c.policy_no)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    let claim = Report {
        policy_id,
        incident_date: app.clock.today_shanghai(),
        place: "上海".into(),
        description: "追尾".into(),
        amount_claimed: None,
        payout: PayoutChoice::Bank {
            bank: "招商银行".into(),
            account_no: "6225880212345678".into(),
        },
        files: vec![(
            DocKind::ScenePhotos,
            Upload {
                name: "现场.jpg".into(),
                kind: FileKind::Jpeg,
                bytes: JPEG.to_vec(),
            },
        )],
    };
    report(&app.state, &customer_id, claim).await.unwrap();
    let (claim_file,): (String,) =
        sqlx::query_as("SELECT id FROM claim_files WHERE customer_id = $1")
            .bind(&customer_id)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    let id = case_id_of(&open(&b, "complaint", "claim:", "理赔太慢了，照片早就交过了。").await);
    let staff = handler(&app, "agent.link", StaffRole::Agent).await;
    assert_eq!(
        post(&staff, "take_case", &[("case_id", &id)]).await,
        format!("/staff/cases/{id}?done=taken")
    );
    let page = staff.page(&format!("/staff/cases/{id}")).await;
    assert!(page.contains("data-testid=\"link-form\"") && page.contains(&claim_file));
    // Someone else's file, or nonsense: refused with a message.
    let (other_c, _) = signed_in(&app, "13900002324", "别人").await;
    let _ = other_c;
    for bad in ["../../etc/passwd", "nope", ""] {
        let to = post(
            &staff,
            "link_case_document",
            &[("case_id", &id), ("file_id", bad)],
        )
        .await;
        assert_eq!(
            to,
            format!("/staff/cases/{id}?error=case_document"),
            "{bad}"
        );
    }
    // Linked, twice: once.
    for _ in 0..2 {
        assert_eq!(
            post(
                &staff,
                "link_case_document",
                &[("case_id", &id), ("file_id", &claim_file)]
            )
            .await,
            format!("/staff/cases/{id}?done=linked")
        );
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM case_files WHERE case_id = $1", &id)
            .await,
        1
    );
    assert_eq!(audited(&app, "case.document_linked", &id).await, 1);
    // The customer sees it on the case, named by its claim, and can open it; no copy made.
    let mine = b.page(&format!("/cases/{id}")).await;
    assert!(mine.contains("已关联我们已有的材料"));
    let files = file_links(&mine, &id);
    assert_eq!(files.len(), 1);
    let res = b.get(&files[0]).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/jpeg");
    // Only the owner links.
    let colleague = handler(&app, "agent.link2", StaffRole::Agent).await;
    assert_eq!(
        post(
            &colleague,
            "link_case_document",
            &[("case_id", &id), ("file_id", &claim_file)]
        )
        .await,
        format!("/staff/cases/{id}?error=case_not_owner")
    );
}

#[tokio::test]
async fn deadline_warnings_are_raised_once_each_and_an_overdue_case_apologises() {
    use app::backend::services::cases::warn_due;
    let app = spawn_app().await;
    let (c, b) = signed_in(&app, "13900002325", "秦岚").await;
    let id = case_id_of(&open(&b, "complaint", "policy:", "续保价格涨得太多。").await);
    assert_eq!(warn_due(&app.state).await.unwrap(), 0);
    let sms_before = app.sms_count(&c.phone).await;
    app.clock.advance(8 * DAY);
    // Two instances at once: one warning.
    let (x, y) = tokio::join!(warn_due(&app.state), warn_due(&app.state));
    assert_eq!(x.unwrap() + y.unwrap(), 1);
    let warned = "SELECT COUNT(*) FROM case_events WHERE case_id = $1 AND kind = 'warned'";
    assert_eq!(app.count(warned, &id).await, 1);
    app.clock.advance(4 * DAY + 3_600);
    assert_eq!(warn_due(&app.state).await.unwrap(), 1);
    assert_eq!(warn_due(&app.state).await.unwrap(), 0);
    assert_eq!(
        app.sms_count(&c.phone).await,
        sms_before,
        "50 % and 80 % are for staff"
    );
    let staff = handler(&app, "agent.warn", StaffRole::Agent).await;
    let page = staff.page(&format!("/staff/cases/{id}")).await;
    assert!(page.contains("期限检查") && page.contains("已过 80%"));
    let b = customer_again(&app, &c.phone).await;
    assert!(
        !b.page(&format!("/cases/{id}")).await.contains("期限检查"),
        "the customer's timeline has no staff warnings"
    );
    app.clock.advance(3 * DAY + 60);
    assert_eq!(warn_due(&app.state).await.unwrap(), 1);
    assert_eq!(app.count(warned, &id).await, 3);
    let sms = app.last_sms(&c.phone).await.unwrap();
    assert!(sms.contains("很抱歉") && sms.contains("/s/"), "{sms}");
    assert_eq!(warn_due(&app.state).await.unwrap(), 0);
    assert_eq!(app.sms_count(&c.phone).await, sms_before + 1);
}

#[tokio::test]
async fn the_owners_reply_reaches_the_customer_by_sms_with_the_case_link() {
    let app = spawn_app().await;
    let (c, b) = signed_in(&app, "13900002326", "尤佳").await;
    let id = case_id_of(&open(&b, "question", "policy:", "怎样修改受益人？").await);
    let staff = handler(&app, "agent.sms", StaffRole::Agent).await;
    post(&staff, "take_case", &[("case_id", &id)]).await;
    let before = app.sms_count(&c.phone).await;
    app.clock.advance(60);
    post(
        &staff,
        "answer_case",
        &[
            ("case_id", &id),
            ("text", "您可以在保全服务中在线修改受益人。"),
        ],
    )
    .await;
    assert_eq!(app.sms_count(&c.phone).await, before + 1);
    let sms = app.last_sms(&c.phone).await.unwrap();
    assert!(sms.contains("给您留言") && sms.contains("/s/"), "{sms}");
    // The customer's own reply sends them nothing.
    reply(&b, &id, "好的，谢谢。").await;
    assert_eq!(app.sms_count(&c.phone).await, before + 1);
}
