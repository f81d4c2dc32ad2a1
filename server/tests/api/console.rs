//! The staff console: finding customers (masked), the 360° view, "view as customer" with
//! its reason, banner, 30-minute end and audit trail, the customer's own record of it,
//! and every change refused while it lasts, enumerated from the router.

use crate::access::{assert_read_only, claim_of, footprint, view_as};
use crate::helpers::*;
use app::model::StaffRole;

async fn staff_browser(app: &TestApp, username: &str, role: StaffRole) -> Browser {
    app.staff(username, role).await;
    let b = app.browser();
    assert_eq!(
        redirected(&b.staff_login(username, PASSWORD).await),
        "/staff"
    );
    b
}

#[tokio::test]
async fn staff_find_customers_by_name_phone_policy_or_claim_and_see_them_masked() {
    let app = spawn_app().await;
    let c = app
        .customer("13900002001", "欧阳娜娜", Some(PASSWORD))
        .await;
    app.customer("13900002002", "王伟", Some(PASSWORD)).await;
    let claim = claim_of(&app, &c).await;
    let (claim_no,): (String,) = sqlx::query_as("SELECT claim_no FROM claims WHERE id = $1")
        .bind(&claim)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    let agent = staff_browser(&app, "agent.find", StaffRole::Agent).await;
    let id = app.customer_id(&c.phone).await;
    for q in [
        "欧阳",
        "13900002001",
        "2001",
        c.policy_no.as_str(),
        &c.policy_no.to_lowercase(),
        claim_no.as_str(),
    ] {
        let page = agent
            .page(&format!("/staff/customers?q={}", urlencode(q)))
            .await;
        assert!(page.contains(&format!("/staff/customers/{id}")), "{q}");
        assert!(page.contains("欧***"), "{q}: name masked");
        assert!(!page.contains("欧阳娜娜"), "{q}: never the whole name");
        // Only what was typed holds it: the search box, and the language switch's way back.
        let echoed = |s: &str| if q == s { 2 } else { 0 };
        assert_eq!(
            page.matches("13900002001").count(),
            echoed("13900002001"),
            "{q}: phone masked"
        );
        assert_eq!(
            page.matches(c.policy_no.as_str()).count(),
            echoed(&c.policy_no),
            "{q}: policy masked"
        );
    }
    // Nothing worth searching, garbage, huge, a LIKE wildcard: a message or no match, never a 500.
    for q in [
        "",
        "王",
        "%",
        "_%",
        "'; DROP TABLE customers; --",
        &"王".repeat(5000),
    ] {
        let res = agent
            .get(&format!("/staff/customers?q={}", urlencode(q)))
            .await;
        assert_eq!(res.status(), 200, "{q}");
        let body = res.text().await.unwrap();
        assert!(
            !body.contains("/staff/customers/"),
            "{q:.20} matched nobody"
        );
    }
    assert!(agent
        .page("/staff/customers?q=%25%25")
        .await
        .contains("没有找到"));
}

/// The seconds the banner says are left ("剩余 mm:ss").
fn left_on(page: &str) -> i64 {
    let at = page
        .find("剩余 ")
        .expect("the banner says how long is left")
        + "剩余 ".len();
    let mm_ss = &page[at..at + 5];
    let (m, s) = mm_ss.split_once(':').unwrap();
    m.parse::<i64>().unwrap() * 60 + s.parse::<i64>().unwrap()
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn the_360_view_shows_the_customer_with_tags_and_tier_explained_and_is_audited() {
    let app = spawn_app().await;
    let c = app.customer("13900002011", "陈静", Some(PASSWORD)).await;
    let due = app.renewal_due(&c, 20, 300_000).await;
    claim_of(&app, &c).await;
    let id = app.customer_id(&c.phone).await;
    let agent = staff_browser(&app, "agent.view", StaffRole::Agent).await;
    let page = agent.page(&format!("/staff/customers/{id}")).await;
    assert!(page.contains("陈静"));
    assert!(!page.contains("13900002011"), "phone masked");
    assert!(page.contains("有在途理赔") && page.contains("件理赔正在处理"));
    assert!(page.contains("续保临近") && page.contains("还有 20 天"));
    assert!(page.contains("价值分层") && page.contains("有效保单年保费合计"));
    for panel in [
        "policies", "payments", "claims", "bookings", "sms", "prefs", "access",
    ] {
        assert!(
            page.contains(&format!("data-testid=\"panel-{panel}\"")),
            "{panel}"
        );
    }
    assert!(page.contains(&app::model::PolicyNo::parse(&c.policy_no).unwrap().masked()));
    assert!(!page.contains(&c.policy_no));
    let _ = due;
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'customer.viewed' AND customer_id = $1",
            &id
        )
        .await,
        1
    );
    // A guessed id is the 404 page; a customer's own session reaches no console page.
    assert_eq!(agent.get("/staff/customers/nobody").await.status(), 404);
    let customer = app.browser();
    customer.login(&c.phone, PASSWORD).await;
    assert!(
        redirected(&customer.get(&format!("/staff/customers/{id}")).await)
            .starts_with("/staff/login")
    );
}

#[tokio::test]
async fn viewing_as_a_customer_needs_a_reason_shows_the_banner_is_audited_and_ends() {
    let app = spawn_app().await;
    let c = app.customer("13900002021", "林晓燕", Some(PASSWORD)).await;
    let due = app.renewal_due(&c, 20, 300_000).await;
    let id = app.customer_id(&c.phone).await;
    // The customer is signed in elsewhere: nothing staff do touches that session.
    let customer = app.browser();
    customer.login(&c.phone, PASSWORD).await;
    let agent = staff_browser(&app, "agent.banner", StaffRole::Agent).await;

    for (reason, ticket, code) in [
        ("", "", "view_reason_short"),
        ("  看一下  ", "", "view_reason_short"),
        (&"长".repeat(201) as &str, "", "view_reason_long"),
        ("客户来电咨询续保价格为何上涨", "<b>x</b>", "bad_ticket"),
    ] {
        let res = agent
            .post_form(
                "/api/start_view_as",
                &[("customer_id", &id), ("reason", reason), ("ticket", ticket)],
            )
            .await;
        assert_eq!(
            redirected(&res),
            format!("/staff/customers/{id}?error={code}"),
            "{reason:.10}"
        );
    }
    // Missing fields, and a customer who does not exist: no view, no 500.
    let res = agent
        .post_form("/api/start_view_as", &[("customer_id", &id)])
        .await;
    assert!(res.status().as_u16() < 500);
    let res = agent
        .post_form(
            "/api/start_view_as",
            &[
                ("customer_id", "nobody"),
                ("reason", "客户来电咨询续保价格为何上涨"),
            ],
        )
        .await;
    assert!(res.status().as_u16() < 500);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM impersonations WHERE staff_id IS NOT NULL AND $1 = $1",
            "x"
        )
        .await,
        0
    );

    view_as(&agent, &id).await;
    let home = agent.page("/").await;
    assert!(home.contains("data-testid=\"viewing-banner\""));
    assert!(home.contains("正在以 林晓燕 的身份查看 — 测试员工"));
    assert!((1795..=1800).contains(&left_on(&home)), "30 minutes");
    let policies = agent.page("/policies").await;
    assert!(left_on(&policies) <= 1800 && !policies.contains(&c.policy_no));
    agent
        .page(&format!("/policies/{}/renew", due.policy_id))
        .await;
    // The console stays theirs while they look (to end the view from it).
    assert_eq!(agent.get("/staff").await.status(), 200);

    // One audit row per request, under the staff member's name, with the reason.
    let rows = app
        .count(
            "SELECT COUNT(*) FROM audit_log WHERE customer_id = $1 AND action = 'viewing.read'",
            &id,
        )
        .await;
    assert_eq!(rows, 4, "/, /policies, the renewal page, /staff");
    let (actor, target, ip): (String, String, String) = sqlx::query_as(
        "SELECT actor_kind, target, ip FROM audit_log WHERE customer_id = $1 AND action = 'viewing.read' \
         ORDER BY at, target LIMIT 1",
    )
    .bind(&id)
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    assert_eq!(actor, "staff");
    assert!(target.starts_with('/'));
    assert_eq!(ip, "127.0.0.1");

    // End: back to the customer's page in the console, the customer's session untouched.
    let res = agent.post_form("/api/end_view_as", &[]).await;
    assert_eq!(
        redirected(&res),
        format!("/staff/customers/{id}?viewing=ended")
    );
    assert_eq!(redirected(&agent.get("/").await), "/login");
    assert!(customer.page("/").await.contains("林晓燕"));
    let (state, ended): (String, Option<i64>) =
        sqlx::query_as("SELECT state, ended_at FROM impersonations WHERE customer_id = $1")
            .bind(&id)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!(state, "ended");
    assert!(ended.is_some());

    // The customer sees the visit: who, their role, how long, why; and may turn it off.
    let access = customer.page("/settings/access").await;
    assert!(access.contains("测试员工") && access.contains("客服坐席"));
    assert!(access.contains("客户来电咨询续保价格为何上涨"));
    assert!(access.contains("持续"));
    let res = customer.post_form("/api/set_staff_viewing", &[]).await;
    assert_eq!(redirected(&res), "/settings/access?saved=1");
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM customers WHERE id = $1 AND staff_view = 0",
            &id
        )
        .await,
        1
    );
}

#[tokio::test]
async fn a_view_ends_by_itself_after_30_minutes_and_at_staff_logout() {
    let app = spawn_app().await;
    let c = app.customer("13900002031", "赵敏", Some(PASSWORD)).await;
    let id = app.customer_id(&c.phone).await;
    let agent = staff_browser(&app, "agent.timer", StaffRole::Agent).await;
    view_as(&agent, &id).await;
    app.clock.advance(25 * 60);
    assert!((295..=300).contains(&left_on(&agent.page("/").await)));
    app.clock.advance(5 * 60);
    assert_eq!(redirected(&agent.get("/").await), "/login", "over at 30:00");
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM impersonations WHERE customer_id = $1 AND state = 'expired'",
            &id
        )
        .await,
        1
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM sessions WHERE impersonation_id IS NOT NULL AND $1 = $1",
            "x"
        )
        .await,
        0
    );

    // A second view, ended by signing out.
    view_as(&agent, &id).await;
    assert_eq!(
        redirected(&agent.post_form("/api/logout", &[]).await),
        "/staff/login"
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM impersonations WHERE customer_id = $1 AND state = 'ended'",
            &id
        )
        .await,
        1
    );
}

#[tokio::test]
async fn staff_never_view_their_own_record_and_opted_out_customers_only_their_open_claims() {
    let app = spawn_app().await;
    let own = app.customer("13900002041", "张敏", Some(PASSWORD)).await;
    let agent = staff_browser(&app, "agent.own", StaffRole::Agent).await;
    sqlx::query("UPDATE staff SET phone = $1 WHERE username = 'agent.own'")
        .bind(&own.phone)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    let own_id = app.customer_id(&own.phone).await;
    assert!(agent
        .page(&format!("/staff/customers/{own_id}"))
        .await
        .contains("这是您本人的客户记录"));
    let res = agent
        .post_form(
            "/api/start_view_as",
            &[
                ("customer_id", &own_id),
                ("reason", "想看看自己的保单续保情况"),
            ],
        )
        .await;
    assert_eq!(
        redirected(&res),
        format!("/staff/customers/{own_id}?error=own_record")
    );

    // An opted-out customer: the open claim's page, nothing else.
    let c = app.customer("13900002042", "周杰", Some(PASSWORD)).await;
    let open = claim_of(&app, &c).await;
    let closed = claim_of(&app, &c).await;
    sqlx::query("UPDATE claims SET stage = 'withdrawn' WHERE id = $1")
        .bind(&closed)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    let id = app.customer_id(&c.phone).await;
    sqlx::query("UPDATE customers SET staff_view = 0 WHERE id = $1")
        .bind(&id)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    assert!(agent
        .page(&format!("/staff/customers/{id}"))
        .await
        .contains("客户已关闭代客查看"));
    let res = agent
        .post_form(
            "/api/start_view_as",
            &[
                ("customer_id", &id),
                ("reason", "核对理赔材料是否齐全，客户来电"),
            ],
        )
        .await;
    assert_eq!(
        redirected(&res),
        format!("/staff/customers/{id}?viewing=limited#claims")
    );
    let page = agent.page(&format!("/claims/{open}")).await;
    assert!(page.contains("客户已关闭代客查看：只能查看其在途理赔"));
    for path in [
        "/".to_owned(),
        "/policies".into(),
        "/claims".into(),
        format!("/claims/{closed}"),
        "/settings/notifications".into(),
    ] {
        let res = agent.get(&path).await;
        assert_eq!(res.status(), 403, "{path}");
        assert!(res
            .text()
            .await
            .unwrap()
            .contains(&format!("/staff/customers/{id}")));
    }
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM audit_log WHERE customer_id = $1 AND action = 'viewing.outside_limit'",
            &id
        )
        .await,
        5
    );
}

#[tokio::test]
async fn every_change_is_refused_while_viewing_as_the_customer_enumerated_from_the_router() {
    let app = spawn_app().await;
    let a = app.customer("13900002051", "甲客户", Some(PASSWORD)).await;
    let a_due = app.renewal_due(&a, 20, 300_000).await;
    let method = app.saved_method(&a, "tok_ok").await;
    let claim = claim_of(&app, &a).await;
    let id = app.customer_id(&a.phone).await;
    let agent = staff_browser(&app, "agent.sweep2", StaffRole::Admin).await;
    view_as(&agent, &id).await;
    let before = footprint(&app, &a).await;
    let saved = format!("saved:{method}");
    let form: Vec<(&str, &str)> = vec![
        ("policy_id", &a_due.policy_id),
        ("offer_id", &a_due.offer_id),
        ("version", "1"),
        ("key", "viewing-sweep-key-0001"),
        ("method", &saved),
        ("enable", "on"),
        ("id_last4", &a.id_last4),
        ("next", "/policies"),
        ("time_window", "evening"),
        ("claim_id", &claim),
        ("customer_id", &id),
        ("reason", "再开一个代客查看会话试试"),
        ("allowed", ""),
        ("phone", &a.phone),
        ("code", "123456"),
    ];
    let allowed = app::backend::auth::viewing::WRITES_WHILE_VIEWING;
    let mut refused = 0;
    let fns: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(p, _)| p.to_owned())
        .collect();
    for path in &fns {
        if allowed.contains(&path.as_str()) {
            continue;
        }
        assert_read_only(agent.post_form(path, &form).await, path).await;
        refused += 1;
    }
    let jpeg = include_bytes!("fixtures/photo.jpg").to_vec();
    for route in anxin::PLAIN_ROUTES {
        let path = route
            .path
            .replace("{claim}", &claim)
            .replace("{document}", "d")
            .replace("{file}", "f")
            .replace("{id}", "x");
        let res = agent
            .post_multipart(
                &path,
                &[("policy_id", &a_due.policy_id)],
                &[("file", "a.jpg", jpeg.clone())],
            )
            .await;
        // Health checks read no session (they answer for the process): a POST there is
        // simply not a method they have.
        if path.starts_with("/health") {
            assert_eq!(res.status(), 405, "POST {path}");
            continue;
        }
        assert_eq!(res.status(), 403, "POST {path}");
        refused += 1;
    }
    assert_eq!(footprint(&app, &a).await, before, "nothing of A's changed");
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM impersonations WHERE state = 'active' AND $1 = $1",
            "x"
        )
        .await,
        1,
        "no second view started from inside the first"
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM audit_log WHERE customer_id = $1 AND action = 'viewing.refused'",
            &id
        )
        .await,
        refused,
        "each refused request audited"
    );
    // The few that may run: the language switch, and End.
    let res = agent
        .post_form("/api/set_locale", &[("lang", "en"), ("next", "/")])
        .await;
    assert!(res.status().is_redirection());
    assert!(agent.page("/").await.contains("Viewing as 甲客户"));
    let res = agent.post_form("/api/end_view_as", &[]).await;
    assert!(redirected(&res).starts_with(&format!("/staff/customers/{id}")));
    println!("viewing sweep: {refused} changes refused");
}

#[tokio::test]
async fn the_audit_log_is_append_only_and_supervisors_search_it() {
    let app = spawn_app().await;
    let c = app.customer("13900002061", "孙丽", Some(PASSWORD)).await;
    let id = app.customer_id(&c.phone).await;
    let agent = staff_browser(&app, "agent.audited", StaffRole::Agent).await;
    view_as(&agent, &id).await;
    agent.page("/policies").await;
    agent.post_form("/api/end_view_as", &[]).await;

    for sql in [
        "UPDATE audit_log SET action = 'nothing'",
        "DELETE FROM audit_log",
    ] {
        let r = sqlx::query(sql).execute(&app.state.db.pool).await;
        assert!(r.is_err(), "{sql} refused by the database");
    }
    assert!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE customer_id = $1", &id)
            .await
            >= 3
    );

    // Agents may not read it; supervisors may, filtered.
    assert_eq!(agent.get("/staff/audit").await.status(), 404);
    let sup = staff_browser(&app, "super.audit", StaffRole::Supervisor).await;
    let page = sup
        .page(&format!(
            "/staff/audit?staff=agent.audited&phone={}",
            c.phone
        ))
        .await;
    assert!(page.contains("viewing.start") && page.contains("viewing.end"));
    assert!(page.contains("/policies"));
    assert!(page.contains("客户来电咨询续保价格为何上涨"));
    assert_eq!(
        page.matches(&c.phone).count(),
        2,
        "masked in the rows: only the filter and the language switch's way back hold it"
    );
    let other = sup.page("/staff/audit?staff=nobody.here").await;
    assert!(!other.contains("viewing.start"));
    // Garbage filters change nothing and break nothing.
    for q in [
        "from=yesterday&until=2026-13-45",
        "action=%25%25%25",
        "phone=%27%3B--",
    ] {
        assert_eq!(
            sup.get(&format!("/staff/audit?{q}")).await.status(),
            200,
            "{q}"
        );
    }
}

/// The temporary password `/staff/accounts` shows once after a create or reset.
async fn handed_over(admin: &Browser) -> String {
    let page = admin.page("/staff/accounts").await;
    let tag = page
        .find("data-testid=\"temp-password-value\"")
        .expect("the password is shown");
    let at = tag + page[tag..].find('>').unwrap() + 1;
    let password = page[at..at + 16].to_owned();
    assert!(
        password.bytes().all(|b| b.is_ascii_alphanumeric()),
        "{password}"
    );
    // Shown once: the next visit no longer has it.
    assert!(!admin
        .page("/staff/accounts")
        .await
        .contains("temp-password-value"));
    password
}

#[tokio::test]
async fn admins_create_reset_and_disable_staff_accounts_and_nobody_else_can() {
    let app = spawn_app().await;
    let admin = staff_browser(&app, "admin.accounts", StaffRole::Admin).await;
    let res = admin
        .post_form(
            "/api/create_staff",
            &[
                ("username", "Agent.New"),
                ("display_name", "新员工"),
                ("role", "agent"),
                ("phone", "13900002099"),
            ],
        )
        .await;
    assert_eq!(redirected(&res), "/staff/accounts?done=created");
    let first = handed_over(&admin).await;
    let newcomer = app.browser();
    assert_eq!(
        redirected(&newcomer.staff_login("agent.new", &first).await),
        "/staff"
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM staff WHERE username = $1 AND phone = '13900002099' AND role = 'agent'",
            "agent.new"
        )
        .await,
        1
    );
    // Bad input: a clear code, nothing made.
    for (form, code) in [
        (
            vec![("username", "x"), ("display_name", "某"), ("role", "agent")],
            "bad_username",
        ),
        (
            vec![
                ("username", "agent.new"),
                ("display_name", "某"),
                ("role", "agent"),
            ],
            "username_taken",
        ),
        (
            vec![
                ("username", "agent.b"),
                ("display_name", "某"),
                ("role", "root"),
            ],
            "missing_field",
        ),
        (
            vec![
                ("username", "agent.c"),
                ("display_name", "某"),
                ("role", "agent"),
                ("phone", "123"),
            ],
            "invalid_phone",
        ),
    ] {
        let res = admin.post_form("/api/create_staff", &form).await;
        assert_eq!(redirected(&res), format!("/staff/accounts?error={code}"));
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM staff WHERE $1 = $1", "x")
            .await,
        2
    );

    // Reset: the old password and session stop working, the new one works.
    let res = admin
        .post_form("/api/reset_staff_password", &[("username", "agent.new")])
        .await;
    assert_eq!(redirected(&res), "/staff/accounts?done=reset");
    let second = handed_over(&admin).await;
    assert_ne!(first, second);
    assert_eq!(redirected(&newcomer.get("/staff").await), "/staff/login");
    assert!(redirected(&app.browser().staff_login("agent.new", &first).await).contains("error="));
    let again = app.browser();
    assert_eq!(
        redirected(&again.staff_login("agent.new", &second).await),
        "/staff"
    );

    // Disable: sessions end at once, no more logins.
    let res = admin
        .post_form("/api/disable_staff", &[("username", "agent.new")])
        .await;
    assert_eq!(redirected(&res), "/staff/accounts?done=disabled");
    assert_eq!(redirected(&again.get("/staff").await), "/staff/login");
    assert!(redirected(&app.browser().staff_login("agent.new", &second).await).contains("error="));
    // Not one's own account; and none of this for anyone but an admin.
    for f in ["/api/disable_staff", "/api/reset_staff_password"] {
        let res = admin.post_form(f, &[("username", "admin.accounts")]).await;
        assert_eq!(redirected(&res), "/staff/accounts?error=own_account", "{f}");
    }
    let sup = staff_browser(&app, "super.accounts", StaffRole::Supervisor).await;
    assert_eq!(sup.get("/staff/accounts").await.status(), 404);
    let res = sup
        .post_form(
            "/api/create_staff",
            &[
                ("username", "agent.sneaky"),
                ("display_name", "某"),
                ("role", "admin"),
            ],
        )
        .await;
    assert!(res.status().as_u16() < 500);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM staff WHERE username = $1",
            "agent.sneaky"
        )
        .await,
        0
    );
    assert!(
        app.count(
            "SELECT COUNT(*) FROM audit_log WHERE action LIKE $1",
            "staff.%"
        )
        .await
            >= 3
    );
}
