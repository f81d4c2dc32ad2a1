//! Case statistics for supervisors, over HTTP: the figures on `/staff/case-stats` and the
//! rows of its CSV match the cases a test answers (in 3, 10 and 20 days, one reopened, one
//! extended, one still open); who may see them; nonsense in the query string; the file's
//! BOM, header and formula guard; English for staff who chose it.

use crate::helpers::*;
use app::backend::domain::case_stats::Period;
use app::backend::domain::cases::{CaseText, ExtensionReason, RootCause};
use app::backend::services::cases::{self as svc, About, NewCase, StaffMove};
use app::model::{CaseCategory, CaseKind, StaffRole};

const DAY: i64 = 86_400;
const IP: &str = "127.0.0.1";

async fn staff_id(app: &TestApp, username: &str) -> String {
    let (id,): (String,) = sqlx::query_as("SELECT id FROM staff WHERE username = $1")
        .bind(username)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    id
}

/// Opens a case for the customer through the service: about their policy, or nothing.
async fn open(app: &TestApp, customer_id: &str, kind: CaseKind, policy: Option<&str>) -> String {
    let new = NewCase {
        kind,
        category: CaseCategory::Policy,
        subject_id: policy.map(str::to_owned),
        about: About::Nobody,
        body: CaseText::parse("续保保费上涨了，想知道原因。").unwrap(),
    };
    svc::open(&app.state, customer_id, new, vec![], IP)
        .await
        .unwrap()
}

async fn take_and_start(app: &TestApp, staff: &str, id: &str) {
    svc::take(&app.state, staff, id, IP).await.unwrap();
    for m in [StaffMove::Acknowledge, StaffMove::Start] {
        svc::staff_move(&app.state, staff, id, m, IP).await.unwrap();
    }
}

async fn resolve(app: &TestApp, staff: &str, id: &str, cause: RootCause) {
    let answer = CaseText::parse("经核查，已为您说明保费变化的每一项原因。").unwrap();
    svc::resolve(&app.state, staff, id, &answer, cause, IP)
        .await
        .unwrap();
}

async fn signed_in(app: &TestApp, username: &str) -> Browser {
    let b = app.browser();
    assert_eq!(
        redirected(&b.staff_login(username, PASSWORD).await),
        "/staff"
    );
    b
}

/// What the element with `data-testid="{id}"` holds, up to the next tag.
fn figure(page: &str, id: &str) -> String {
    let marker = format!("data-testid=\"{id}\"");
    let at = page.find(&marker).unwrap_or_else(|| panic!("no {id}"));
    let rest = &page[at..];
    let start = rest.find('>').unwrap() + 1;
    let end = rest[start..].find('<').unwrap() + start;
    rest[start..end].to_owned()
}

/// Four cases: answered in 3 days (after a reopening), 10, and 20 (extended once), and a
/// question still waiting. Returns the supervisor's username.
async fn four_cases(app: &TestApp) -> &'static str {
    let c = app
        .customer("13900002301", "统计客户", Some(PASSWORD))
        .await;
    let customer_id = app.customer_id(&c.phone).await;
    let (policy,): (String,) = sqlx::query_as("SELECT id FROM policies WHERE policy_no = $1")
        .bind(&c.policy_no)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    app.staff("agent.stats", StaffRole::Agent).await;
    app.staff("super.stats", StaffRole::Supervisor).await;
    let agent = staff_id(app, "agent.stats").await;
    let quick = open(app, &customer_id, CaseKind::Complaint, Some(&policy)).await;
    let ten = open(app, &customer_id, CaseKind::Complaint, Some(&policy)).await;
    let slow = open(app, &customer_id, CaseKind::Complaint, Some(&policy)).await;
    open(app, &customer_id, CaseKind::Question, None).await;
    for id in [&quick, &ten, &slow] {
        take_and_start(app, &agent, id).await;
    }
    app.clock.advance(2 * DAY);
    resolve(app, &agent, &quick, RootCause::Communication).await;
    let why = CaseText::parse("还是没有说清楚，请再解释一次。").unwrap();
    svc::reopen(&app.state, &customer_id, &quick, &why, IP)
        .await
        .unwrap();
    svc::staff_move(&app.state, &agent, &quick, StaffMove::Start, IP)
        .await
        .unwrap();
    app.clock.advance(DAY);
    resolve(app, &agent, &quick, RootCause::Explained).await;
    app.clock.advance(7 * DAY);
    resolve(app, &agent, &ten, RootCause::Explained).await;
    let reason = ExtensionReason::parse("需要精算部门逐项核对费率").unwrap();
    svc::extend(&app.state, &agent, false, &slow, &reason, IP)
        .await
        .unwrap();
    app.clock.advance(10 * DAY);
    resolve(app, &agent, &slow, RootCause::Product).await;
    "super.stats"
}

#[tokio::test]
async fn the_figures_match_the_cases_answered() {
    let app = spawn_app().await;
    let sup = four_cases(&app).await;
    let b = signed_in(&app, sup).await;
    assert!(b
        .page("/staff")
        .await
        .contains("href=\"/staff/case-stats\""));
    let page = b.page("/staff/case-stats").await;
    assert_eq!(figure(&page, "stat-volume"), "4");
    assert_eq!(figure(&page, "stat-kinds"), "3 / 1");
    // 3, 10 and 20 days: nearest-rank median 10, p90 20.
    assert_eq!(figure(&page, "stat-median"), "10.0");
    assert_eq!(figure(&page, "stat-p90"), "20.0");
    assert_eq!(figure(&page, "stat-within"), "67%", "2 of 3 answered");
    assert_eq!(figure(&page, "stat-extended"), "25%", "1 of 4 received");
    assert_eq!(figure(&page, "stat-approved"), "0%");
    assert_eq!(figure(&page, "stat-reopen"), "33%", "1 of 3 answered");
    // Charts drawn as SVG, each named, each with its table.
    for chart in [
        "month-chart",
        "category-chart",
        "product-chart",
        "cause-chart",
    ] {
        assert!(
            page.contains(&format!("data-testid=\"{chart}\"")),
            "{chart}"
        );
    }
    assert!(page.matches("<title id=").count() >= 4, "every chart named");
    for table in ["by-month", "by-category", "by-product", "by-cause"] {
        assert!(
            page.contains(&format!("data-testid=\"{table}\"")),
            "{table}"
        );
    }
    assert!(page.contains("测试车险"), "the policy's product");
    assert!(page.contains(">—<"), "the question about no policy");
    assert!(!page.contains("统计客户"), "no customer's name");
    assert!(page.contains("href=\"/staff/case-stats.csv?from="));

    // The CSV: a BOM, a header, one row per case, nothing personal.
    sqlx::query("UPDATE products SET name_zh = $1 WHERE code = 'TEST_AUTO'")
        .bind("=HYPERLINK(\"http://evil.example\")")
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    let res = b.get("/staff/case-stats.csv").await;
    assert_eq!(res.status(), 200);
    let header = |name: &str| res.headers()[name].to_str().unwrap().to_owned();
    assert_eq!(header("content-type"), "text/csv; charset=utf-8");
    assert!(header("content-disposition").starts_with("attachment; filename=\"anxin-cases-"));
    let bytes = res.bytes().await.unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "a BOM for spreadsheets");
    let body = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(lines.len(), 5, "a header and four cases:\n{body}");
    assert!(
        lines[0].starts_with("\"案件编号\",\"类型\",\"类别\",\"产品\""),
        "{body}"
    );
    assert!(
        body.contains("\"'=HYPERLINK(\"\"http://evil.example\"\")\""),
        "a formula is only text: {body}"
    );
    assert!(!body.contains(",\"=") && !body.contains(",="), "{body}");
    assert!(!body.contains("统计客户") && !body.contains("13900002301"));
    assert!(!body.contains("续保保费上涨"), "no customer's words");
    // The slow one: 20 days, not within 15, extended once, its root cause.
    let slow = lines
        .iter()
        .find(|l| l.contains("\"20.0\""))
        .unwrap_or_else(|| panic!("{body}"));
    assert!(
        slow.contains("\"否\",\"1\",\"0\",\"产品条款或设计\""),
        "{slow}"
    );
    let quick = lines.iter().find(|l| l.contains("\"3.0\"")).unwrap();
    assert!(
        quick.contains("\"是\",\"0\",\"1\",\"无过错，已解释说明\""),
        "{quick}"
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM audit_log WHERE action = $1",
            "case_stats.exported"
        )
        .await,
        1,
        "the export is audited"
    );

    // In English for staff who chose it.
    b.post_form(
        "/api/set_locale",
        &[("lang", "en"), ("next", "/staff/case-stats")],
    )
    .await;
    let page = b.page("/staff/case-stats").await;
    assert!(page.contains("Complaint and question statistics"), "{page}");
    assert!(page.contains("Test Motor"));
    let body = b.get("/staff/case-stats.csv").await.text().await.unwrap();
    assert!(body.contains("\"Case no.\",\"Kind\""), "{body}");
}

#[tokio::test]
async fn only_supervisors_and_admins_see_case_statistics() {
    let app = spawn_app().await;
    for (username, role) in [
        ("agent.nostats", StaffRole::Agent),
        ("claims.nostats", StaffRole::Claims),
    ] {
        app.staff(username, role).await;
        let b = signed_in(&app, username).await;
        assert_eq!(b.get("/staff/case-stats").await.status(), 404, "{role:?}");
        assert_eq!(
            b.get("/staff/case-stats.csv").await.status(),
            404,
            "{role:?}"
        );
        assert!(!b.page("/staff").await.contains("/staff/case-stats"));
    }
    app.staff("admin.stats", StaffRole::Admin).await;
    let admin = signed_in(&app, "admin.stats").await;
    assert_eq!(admin.get("/staff/case-stats").await.status(), 200);
    assert_eq!(admin.get("/staff/case-stats.csv").await.status(), 200);
    // A customer, and nobody: the staff sign-in page.
    let c = app.customer("13900002302", "某客户", Some(PASSWORD)).await;
    let customer = app.browser();
    assert_eq!(redirected(&customer.login(&c.phone, PASSWORD).await), "/");
    for b in [&customer, &app.browser()] {
        for path in ["/staff/case-stats", "/staff/case-stats.csv"] {
            let res = b.get(path).await;
            assert_eq!(res.status(), 302, "{path}");
            assert_eq!(location(res.headers()), "/staff/login", "{path}");
        }
    }
}

#[tokio::test]
async fn nonsense_periods_show_the_last_twelve_months() {
    let app = spawn_app().await;
    app.staff("super.period", StaffRole::Supervisor).await;
    let b = signed_in(&app, "super.period").await;
    let default = Period::last(12, app.clock.today_shanghai());
    let expected = format!("value=\"{}\"", default.from);
    let long = "9".repeat(3000);
    for query in [
        "?from=garbage&to=2026-13&months=7".to_owned(),
        "?months=99999999999999999999999".to_owned(),
        "?from=-1&to=%00&months=-3".to_owned(),
        format!("?from={long}&to={long}&months={long}"),
        "?from=%E2%80%AE2026-01&to=".to_owned(),
    ] {
        for path in ["/staff/case-stats", "/staff/case-stats.csv"] {
            let res = b.get(&format!("{path}{query}")).await;
            assert_eq!(res.status(), 200, "{path}{query}");
            if path.ends_with(".csv") {
                let disposition = res.headers()["content-disposition"].to_str().unwrap();
                assert!(
                    disposition.contains(&format!("{}-{}", default.from, default.to)),
                    "{disposition}"
                );
            } else {
                let page = res.text().await.unwrap();
                assert!(page.contains(&expected), "{query}");
                assert!(page.contains("data-testid=\"case-stats-empty\""));
            }
        }
    }
    // A sensible choice is kept.
    let page = b.page("/staff/case-stats?months=3").await;
    let three = Period::last(3, app.clock.today_shanghai());
    assert!(page.contains(&format!("value=\"{}\"", three.from)));
    let page = b.page("/staff/case-stats?from=2025-01&to=2025-06").await;
    assert!(page.contains("value=\"2025-01\"") && page.contains("value=\"2025-06\""));
}

#[tokio::test]
async fn the_demo_has_a_year_of_cases_to_count() {
    use app::backend::demo::{generate, DEMO_SEED, STAFF_PASSWORD};
    let app = spawn_app().await;
    generate(&app.state, DEMO_SEED).await.unwrap();
    let b = app.browser();
    assert_eq!(
        redirected(&b.staff_login("super.zhang", STAFF_PASSWORD).await),
        "/staff"
    );
    let page = b.page("/staff/case-stats").await;
    let volume: i64 = figure(&page, "stat-volume").parse().unwrap();
    assert!(volume >= 80, "{volume} cases");
    let share = |id: &str| -> i64 { figure(&page, id).trim_end_matches('%').parse().unwrap() };
    let within = share("stat-within");
    assert!(
        (70..100).contains(&within),
        "mostly within 15 days, a few late: {within}%"
    );
    assert!((1..30).contains(&share("stat-extended")));
    assert!((1..20).contains(&share("stat-reopen")));
    assert!(share("stat-approved") >= 1, "a few extended twice");
    // Older cases closed after the reopen window; every root cause is seen.
    let (closed,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM cases WHERE state = 'closed' AND root_cause IS NOT NULL",
    )
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    assert!(closed >= 50, "{closed} closed");
    for cause in RootCause::ALL {
        assert!(
            app.count(
                "SELECT COUNT(*) FROM cases WHERE root_cause = $1",
                cause.as_str()
            )
            .await
                >= 1,
            "{cause:?}"
        );
    }
    let (products,): (i64,) = sqlx::query_as(
        "SELECT COUNT(DISTINCT pr.id) FROM cases k JOIN policies p ON p.id = k.subject_id \
         JOIN products pr ON pr.id = p.product_id WHERE k.category = 'policy'",
    )
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    assert!(products >= 2, "cases about several products");
}
