//! Admins manage service providers at `/staff/providers`: add, edit, deactivate and
//! reactivate, each audited. A deactivated provider is offered to no customer and gets no
//! new slots, while the appointments it has stay valid. Nobody else may change a provider.

use crate::access::view_as;
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

/// A form's fields, as posted.
type Form<'a> = Vec<(&'a str, &'a str)>;

/// Every provider as stored: what a refused or wrong request must leave alone.
async fn providers(app: &TestApp) -> Vec<(String, String, String, String, String, String, i64)> {
    sqlx::query_as(
        "SELECT id, service_kind_id, name, city, address, COALESCE(phone, ''), active FROM providers ORDER BY id",
    )
    .fetch_all(&app.state.db.pool)
    .await
    .unwrap()
}

async fn provider_audit_rows(app: &TestApp) -> i64 {
    app.count(
        "SELECT COUNT(*) FROM audit_log WHERE action LIKE $1",
        "provider.%",
    )
    .await
}

/// The booking page's provider step for `c`'s policy and the check-up service.
fn book_page(policy: &str, kind: &str) -> String {
    format!("/services/book?policy={policy}&kind={kind}")
}

/// The `(id)` of the provider with this name.
async fn provider_named(app: &TestApp, name: &str) -> String {
    let (id,): (String,) = sqlx::query_as("SELECT id FROM providers WHERE name = $1")
        .bind(name)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    id
}

#[tokio::test]
async fn an_admin_adds_edits_deactivates_and_reactivates_a_provider_and_customers_see_it() {
    let app = spawn_app().await;
    let svc = app.services(4, 4).await;
    let c = app.customer("13900003001", "钱多多", Some(PASSWORD)).await;
    let customer = app.browser();
    customer.login(&c.phone, PASSWORD).await;
    let policy = app.policy_of(&c.phone).await;
    // The customer has an appointment at the test provider before anything changes.
    let booked = redirected(
        &customer
            .book(&policy, &svc.checkup_kind, &svc.slots[0])
            .await,
    );
    assert!(booked.contains("done=booked"), "{booked}");
    let booking = booked
        .trim_start_matches("/bookings/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();

    let admin = staff_browser(&app, "admin.providers", StaffRole::Admin).await;
    assert!(admin.page("/staff").await.contains("/staff/providers"));
    let page = admin.page("/staff/providers").await;
    assert!(page.contains("安心体检中心（测试）"));
    assert!(
        page.contains("data-testid=\"affected-bookings\""),
        "its upcoming booking is counted"
    );

    // Add: listed for the admin, and offered to the customer.
    let res = admin
        .post_form(
            "/api/create_provider",
            &[
                ("service_kind", &svc.checkup_kind),
                ("name", "  安心体检中心（静安）  "),
                ("city", "上海市"),
                ("address", "上海市静安区南京西路 1788 号"),
                ("phone", "021-6288 1234"),
            ],
        )
        .await;
    assert_eq!(redirected(&res), "/staff/providers?done=created");
    let page = admin.page("/staff/providers?done=created").await;
    assert!(page.contains("已新增服务机构"));
    assert!(page.contains("安心体检中心（静安）") && page.contains("02162881234"));
    let new_id = provider_named(&app, "安心体检中心（静安）").await;
    assert!(customer
        .page(&book_page(&policy, &svc.checkup_kind))
        .await
        .contains("安心体检中心（静安）"));

    // Edit: the same fields; the open form holds what is stored.
    let edit = admin.page(&format!("/staff/providers?edit={new_id}")).await;
    assert!(
        edit.contains("/api/update_provider")
            && edit.contains("value=\"上海市静安区南京西路 1788 号\"")
    );
    let res = admin
        .post_form(
            "/api/update_provider",
            &[
                ("provider_id", &new_id),
                ("service_kind", &svc.checkup_kind),
                ("name", "安心体检中心（静安寺）"),
                ("city", "上海市"),
                ("address", "上海市静安区华山路 2 号"),
                ("phone", ""),
            ],
        )
        .await;
    assert_eq!(redirected(&res), "/staff/providers?done=updated");
    let page = admin.page("/staff/providers").await;
    assert!(page.contains("安心体检中心（静安寺）") && page.contains("华山路 2 号"));
    assert!(!page.contains("南京西路 1788 号") && !page.contains("02162881234"));

    // Deactivate the provider with an appointment: allowed, and the admin is told that it
    // stands.
    let res = admin
        .post_form(
            "/api/deactivate_provider",
            &[("provider_id", &svc.provider)],
        )
        .await;
    let done = redirected(&res);
    assert_eq!(done, "/staff/providers?done=deactivated&affected=1");
    let page = admin.page(&done).await;
    assert!(
        page.contains("它的 1 个待服务预约仍然有效"),
        "told how many bookings stand"
    );
    assert!(page.contains("data-testid=\"provider-inactive\""));
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM providers WHERE id = $1 AND active = 0",
            &svc.provider
        )
        .await,
        1
    );
    // Twice: nothing more happens, and the page says where things stand.
    let res = admin
        .post_form(
            "/api/deactivate_provider",
            &[("provider_id", &svc.provider)],
        )
        .await;
    assert_eq!(redirected(&res), "/staff/providers?error=provider_moved");

    // The customer: not offered it, cannot book or move to it; their appointment stands.
    let offer = customer.page(&book_page(&policy, &svc.checkup_kind)).await;
    assert!(!offer.contains("安心体检中心（测试）") && offer.contains("安心体检中心（静安寺）"));
    let chosen = customer
        .page(&format!(
            "{}&provider={}",
            book_page(&policy, &svc.checkup_kind),
            svc.provider
        ))
        .await;
    assert!(!chosen.contains(&svc.slots[1]), "no slot of it offered");
    let bookings_before = app
        .count(
            "SELECT COUNT(*) FROM bookings WHERE policy_id = $1",
            &policy,
        )
        .await;
    let res = customer
        .book(&policy, &svc.checkup_kind, &svc.slots[1])
        .await;
    let to = redirected(&res);
    assert!(to.contains("error=provider_closed"), "{to}");
    assert!(customer
        .page(&to)
        .await
        .contains("这个机构已不再接受新的预约"));
    let res = customer
        .post_form(
            "/api/reschedule_booking",
            &[("booking_id", &booking), ("slot", &svc.slots[2])],
        )
        .await;
    assert!(redirected(&res).contains("error=provider_closed"));
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM bookings WHERE policy_id = $1",
            &policy
        )
        .await,
        bookings_before
    );
    assert_eq!(app.slot_booked(&svc.slots[1]).await, 0);
    let mine = customer.page(&format!("/bookings/{booking}")).await;
    assert!(
        mine.contains("安心体检中心（测试）"),
        "the appointment is still there"
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM bookings WHERE id = $1 AND state = 'booked'",
            &booking
        )
        .await,
        1
    );

    // No new slots for it: the week-of-slots action says why.
    let slots_before = app
        .count(
            "SELECT COUNT(*) FROM slots WHERE provider_id = $1",
            &svc.provider,
        )
        .await;
    let res = admin
        .post_form(
            "/api/create_slot_week",
            &[
                ("provider_id", &svc.provider),
                ("first_day", "2030-01-07"),
                ("hours", "9,10"),
                ("capacity", "2"),
            ],
        )
        .await;
    let to = redirected(&res);
    assert_eq!(to, "/staff/services?error=provider_inactive");
    assert!(admin.page(&to).await.contains("这个机构已停用，不能再排班"));
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM slots WHERE provider_id = $1",
            &svc.provider
        )
        .await,
        slots_before
    );

    // Reactivate: offered again.
    let res = admin
        .post_form(
            "/api/reactivate_provider",
            &[("provider_id", &svc.provider)],
        )
        .await;
    assert_eq!(
        redirected(&res),
        "/staff/providers?done=reactivated&affected=1"
    );
    assert!(customer
        .page(&book_page(&policy, &svc.checkup_kind))
        .await
        .contains("安心体检中心（测试）"));
    let res = customer
        .book(&policy, &svc.checkup_kind, &svc.slots[1])
        .await;
    assert!(redirected(&res).contains("done=booked"));

    // One audit row per change, under the admin's name.
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT a.action, s.username, a.detail FROM audit_log a JOIN staff s ON s.id = a.actor_id \
         WHERE a.action LIKE 'provider.%' ORDER BY a.at, a.action",
    )
    .fetch_all(&app.state.db.pool)
    .await
    .unwrap();
    let actions: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    let mut expected = vec![
        "provider.created",
        "provider.updated",
        "provider.deactivated",
        "provider.reactivated",
    ];
    let mut sorted = actions.clone();
    sorted.sort_unstable();
    expected.sort_unstable();
    assert_eq!(sorted, expected);
    assert!(rows.iter().all(|r| r.1 == "admin.providers"));
    assert!(rows
        .iter()
        .any(|r| r.0 == "provider.deactivated" && r.2 == format!("{}:1", svc.provider)));
    // The audit page names the change in words.
    assert!(admin.page("/staff/audit").await.contains("停用服务机构"));
}

#[tokio::test]
async fn only_admins_may_see_or_change_providers() {
    let app = spawn_app().await;
    let svc = app.services(2, 4).await;
    let c = app.customer("13900003002", "孙悟", Some(PASSWORD)).await;
    let before = providers(&app).await;
    let create = [
        ("service_kind", svc.checkup_kind.as_str()),
        ("name", "不该出现的机构"),
        ("city", "上海市"),
        ("address", "上海市黄浦区人民大道 1 号"),
    ];
    let update = [
        ("provider_id", svc.provider.as_str()),
        ("service_kind", svc.checkup_kind.as_str()),
        ("name", "被改掉的名字"),
        ("city", "北京市"),
        ("address", "北京市东城区长安街 1 号"),
    ];
    let deactivate = [("provider_id", svc.provider.as_str())];
    let posts: [(&str, &[(&str, &str)]); 3] = [
        ("/api/create_provider", &create),
        ("/api/update_provider", &update),
        ("/api/deactivate_provider", &deactivate),
    ];

    // Supervisors and agents: the page does not exist for them, the forms do nothing.
    for (username, role) in [
        ("super.providers", StaffRole::Supervisor),
        ("agent.providers", StaffRole::Agent),
        ("claims.providers", StaffRole::Claims),
    ] {
        let b = staff_browser(&app, username, role).await;
        assert_eq!(b.get("/staff/providers").await.status(), 404, "{role:?}");
        assert!(
            !b.page("/staff").await.contains("/staff/providers"),
            "{role:?}: no link"
        );
        for (path, form) in posts {
            let res = b.post_form(path, form).await;
            assert_eq!(redirected(&res), "/staff/login", "{role:?} {path}");
        }
    }
    // Nobody signed in, and a customer: sent to the staff login.
    let customer = app.browser();
    customer.login(&c.phone, PASSWORD).await;
    for b in [app.browser(), customer] {
        assert!(redirected(&b.get("/staff/providers").await).starts_with("/staff/login"));
        for (path, form) in posts {
            assert_eq!(
                redirected(&b.post_form(path, form).await),
                "/staff/login",
                "{path}"
            );
        }
    }

    // An admin viewing as a customer: read-only, whatever the page.
    let admin = staff_browser(&app, "admin.viewing", StaffRole::Admin).await;
    view_as(&admin, &app.customer_id(&c.phone).await).await;
    for (path, form) in posts {
        let res = admin.post_form(path, form).await;
        assert_eq!(res.status(), 403, "{path} while viewing as a customer");
    }

    // An admin's own browser, tricked by another site: refused before it runs.
    let admin = staff_browser(&app, "admin.origin", StaffRole::Admin).await;
    for (path, form) in posts {
        for origin in ["http://evil.example", "null"] {
            let res = admin
                .client
                .post(format!("{}{path}", admin.base))
                .header("accept", "text/html")
                .header("origin", origin)
                .form(form)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 403, "{path} from {origin}");
        }
    }

    assert_eq!(providers(&app).await, before, "no provider changed");
    assert_eq!(provider_audit_rows(&app).await, 0);
    // The same admin, from our own pages, may.
    let res = admin
        .post_form("/api/deactivate_provider", &deactivate)
        .await;
    assert!(redirected(&res).contains("done=deactivated"));
}

#[tokio::test]
async fn wrong_missing_or_huge_provider_fields_give_a_message_and_change_nothing() {
    let app = spawn_app().await;
    let svc = app.services(2, 4).await;
    let admin = staff_browser(&app, "admin.input", StaffRole::Admin).await;
    let before = providers(&app).await;
    let huge = "长".repeat(5000);
    let kind = svc.checkup_kind.as_str();
    // (fields, the code, the message's words in Chinese).
    let cases: Vec<(Form, &str, &str)> = vec![
        (vec![], "provider_kind", "请选择服务项目"),
        (
            vec![("service_kind", kind)],
            "provider_name",
            "机构名称须为 2–60 个字",
        ),
        (
            vec![
                ("service_kind", "no-such-kind"),
                ("name", "安心体检"),
                ("city", "上海"),
                ("address", "南京西路 1 号"),
            ],
            "provider_kind",
            "请选择服务项目",
        ),
        (
            vec![
                ("service_kind", kind),
                ("name", &huge),
                ("city", "上海"),
                ("address", "南京西路 1 号"),
            ],
            "provider_name",
            "机构名称须为 2–60 个字",
        ),
        (
            vec![
                ("service_kind", kind),
                ("name", "安"),
                ("city", "上海"),
                ("address", "南京西路 1 号"),
            ],
            "provider_name",
            "机构名称须为 2–60 个字",
        ),
        (
            vec![
                ("service_kind", kind),
                ("name", "安心体检"),
                ("city", "\u{0}\u{1}\u{7}"),
                ("address", "南京西路 1 号"),
            ],
            "provider_city",
            "城市须为 2–20 个字",
        ),
        (
            vec![
                ("service_kind", kind),
                ("name", "安心体检"),
                ("city", "上海"),
                ("address", &huge),
            ],
            "provider_address",
            "地址须为 4–120 个字",
        ),
        (
            vec![
                ("service_kind", kind),
                ("name", "安心体检"),
                ("city", "上海"),
            ],
            "provider_address",
            "地址须为 4–120 个字",
        ),
        (
            vec![
                ("service_kind", kind),
                ("name", "安心体检"),
                ("city", "上海"),
                ("address", "南京西路 1 号"),
                ("phone", "'; DROP TABLE providers; --"),
            ],
            "provider_phone",
            "电话须为手机号",
        ),
    ];
    for (form, code, words) in &cases {
        let res = admin.post_form("/api/create_provider", form).await;
        let to = redirected(&res);
        assert_eq!(to, format!("/staff/providers?error={code}"), "{form:.80?}");
        let page = admin.page(&to).await;
        assert!(page.contains(words), "{code}: the message is shown");
        // The same for an edit, back to its open form.
        let mut edit = form.clone();
        edit.push(("provider_id", &svc.provider));
        let res = admin.post_form("/api/update_provider", &edit).await;
        let to = redirected(&res);
        assert_eq!(
            to,
            format!("/staff/providers?edit={}&error={code}#edit", svc.provider),
            "edit {form:.80?}"
        );
        assert!(admin.page(&to).await.contains(words));
    }
    // In English too.
    admin
        .post_form(
            "/api/set_locale",
            &[("lang", "en"), ("next", "/staff/providers")],
        )
        .await;
    let en = admin.page("/staff/providers?error=provider_city").await;
    assert!(en.contains("The city must be 2–20 characters."));
    admin
        .post_form(
            "/api/set_locale",
            &[("lang", "zh-CN"), ("next", "/staff/providers")],
        )
        .await;
    // Ids that are not providers': nothing to change.
    for path in [
        "/api/update_provider",
        "/api/deactivate_provider",
        "/api/reactivate_provider",
    ] {
        for id in ["", "nope", "../../etc/passwd", &huge] {
            let res = admin
                .post_form(
                    path,
                    &[
                        ("provider_id", id),
                        ("service_kind", kind),
                        ("name", "安心体检"),
                        ("city", "上海"),
                        ("address", "南京西路 1 号"),
                    ],
                )
                .await;
            assert_eq!(
                redirected(&res),
                "/staff/providers?error=provider_moved",
                "{path} {id:.10}"
            );
        }
    }
    // A form that cannot be read at all, and a body over the limit: never a 500.
    let res = admin
        .client
        .post(format!("{}/api/create_provider", admin.base))
        .header("accept", "text/html")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("name=%ZZ&&&=")
        .send()
        .await
        .unwrap();
    assert!(res.status().as_u16() < 500, "{}", res.status());
    let res = admin
        .post_form(
            "/api/create_provider",
            &[("service_kind", kind), ("name", &"长".repeat(30_000))],
        )
        .await;
    assert!(res.status().as_u16() < 500, "{}", res.status());
    assert_eq!(providers(&app).await, before, "no provider changed");
    assert_eq!(provider_audit_rows(&app).await, 0, "nothing audited");
}

#[tokio::test]
async fn the_demo_shows_an_inactive_provider_with_a_past_appointment() {
    let app = spawn_app().await;
    app::backend::demo::generate(&app.state, app::backend::demo::DEMO_SEED)
        .await
        .unwrap();
    let now = app.clock.now();
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM bookings b JOIN slots s ON s.id = b.slot_id JOIN providers p ON p.id = s.provider_id \
         WHERE p.active = 0 AND s.starts_at < $1",
    )
    .bind(now)
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    assert!(n >= 1, "an inactive provider with a past appointment");
}
