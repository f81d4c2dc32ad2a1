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
    open(&app.state, customer_id, new, "127.0.0.1")
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
    post(
        b,
        "open_case",
        &[("kind", kind), ("about", about), ("body", body)],
    )
    .await
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
        sms[0].contains(&case_no) && sms[0].contains(&format!("/cases/{id}")),
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
        post(
            &b,
            "reply_to_case",
            &[("case_id", &id), ("text", "好的，等您消息。")]
        )
        .await,
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
        (
            "reply_to_case",
            vec![("case_id", id.as_str()), ("text", "我是别人，我来回复")],
        ),
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
    assert_read_only(
        staff
            .post_form(
                "/api/open_case",
                &[
                    ("kind", "question"),
                    ("about", "policy:"),
                    ("body", "代客户提交的问题"),
                ],
            )
            .await,
        "open",
    )
    .await;
    for (f, form) in [
        ("withdraw_case", vec![("case_id", id.as_str())]),
        (
            "reply_to_case",
            vec![("case_id", id.as_str()), ("text", "代客户回复的内容")],
        ),
    ] {
        assert_read_only(staff.post_form(&format!("/api/{f}"), &form).await, f).await;
    }
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
    let refused = post(
        &b,
        "open_case",
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
    let to = post(
        &b,
        "open_case",
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
    for (f, form) in [
        (
            "open_case",
            vec![
                ("kind", "complaint"),
                ("about", "policy:"),
                ("body", "别人网站上提交的投诉"),
            ],
        ),
        ("withdraw_case", vec![("case_id", id.as_str())]),
        (
            "reply_to_case",
            vec![("case_id", id.as_str()), ("text", "别人网站上的回复")],
        ),
    ] {
        let res = b.post_from_elsewhere(&format!("/api/{f}"), &form).await;
        assert_eq!(res.status(), 403, "{f}");
    }
    assert_eq!(cases_of(&app, &c).await, 1);
    assert_eq!(state_of(&app, &id).await, "received");
}

#[tokio::test]
async fn garbage_huge_and_missing_fields_get_a_message_never_a_500() {
    let app = spawn_app().await;
    let (c, b) = signed_in(&app, "13900002310", "钱多多").await;
    // Missing fields: back to the form with a message.
    let res = b
        .client
        .post(format!("{}/api/open_case", b.base))
        .header("accept", "text/html")
        .header("referer", format!("{}/cases/new", b.base))
        .form(&[("kind", "complaint")])
        .send()
        .await
        .unwrap();
    let to = redirected(&res);
    assert!(to.contains("error=missing_field"), "{to}");
    assert!(b.page(&to).await.contains("data-testid=\"form-error\""));
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
    // A body far over the limit is refused before it is read.
    let big = "投".repeat(200_000);
    let res = b
        .post_form(
            "/api/open_case",
            &[("kind", "complaint"), ("about", "policy:"), ("body", &big)],
        )
        .await;
    assert!(res.status().is_client_error(), "{}", res.status());
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
