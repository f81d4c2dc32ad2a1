//! Who may see and do what: staff permissions per page, and staff viewing as a customer
//! reading that customer's pages but never acting in their name.

use crate::helpers::*;
use app::backend::store::seed::{insert, V};
use app::model::{Permission, StaffRole};

/// Every staff page, and the permission it needs (`None`: any member of staff).
const STAFF_PAGES: &[(&str, Option<Permission>)] = &[
    ("/staff", None),
    ("/staff/outbox", Some(Permission::ReadOutbox)),
];

#[tokio::test]
async fn each_staff_page_opens_exactly_for_the_roles_that_may_use_it() {
    let app = spawn_app().await;
    let mut checked = 0;
    for role in StaffRole::ALL {
        let username = format!("t.{}", role.as_str());
        app.staff(&username, role).await;
        let b = app.browser();
        assert_eq!(
            redirected(&b.staff_login(&username, PASSWORD).await),
            "/staff"
        );
        for (path, needs) in STAFF_PAGES {
            let res = b.get(path).await;
            let allowed = needs.is_none_or(|p| role.can(p));
            let expected = if allowed { 200 } else { 404 };
            assert_eq!(res.status(), expected, "{role:?} GET {path}");
            checked += 1;
        }
    }
    // Customers and strangers never get a staff page.
    let c = app.customer("13900000801", "林晓燕", Some(PASSWORD)).await;
    let customer = app.browser();
    customer.login(&c.phone, PASSWORD).await;
    for b in [app.browser(), customer] {
        for (path, _) in STAFF_PAGES {
            assert!(
                redirected(&b.get(path).await).starts_with("/staff/login"),
                "{path}"
            );
            checked += 1;
        }
    }
    println!("staff pages: {checked} (page, caller) pairs checked");
}

/// Puts `staff`'s session into "view as customer" for `customer_id`, as the staff console
/// will (the console itself comes with its own issue).
async fn view_as(app: &TestApp, staff_username: &str, customer_id: &str, minutes: i64) {
    let mut conn = app.state.db.pool.acquire().await.unwrap();
    let (staff_id,): (String,) = sqlx::query_as("SELECT id FROM staff WHERE username = $1")
        .bind(staff_username)
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    let id = app::backend::ids::new_id();
    let now = app.clock.now();
    insert(
        &mut conn,
        "impersonations",
        &[
            "id",
            "staff_id",
            "customer_id",
            "reason",
            "ticket",
            "state",
            "started_at",
            "expires_at",
        ],
        vec![
            V::T(id.clone()),
            V::T(staff_id.clone()),
            V::T(customer_id.to_owned()),
            V::T("客户来电咨询续保价格".into()),
            V::Null,
            V::T("active".into()),
            V::I(now),
            V::I(now + minutes * 60),
        ],
    )
    .await
    .unwrap();
    sqlx::query("UPDATE sessions SET impersonation_id = $1 WHERE staff_id = $2")
        .bind(&id)
        .bind(&staff_id)
        .execute(&mut *conn)
        .await
        .unwrap();
}

#[tokio::test]
async fn staff_viewing_as_a_customer_see_their_pages_but_can_never_act_for_them() {
    let app = spawn_app().await;
    let c = app.customer("13900000802", "王伟", Some(PASSWORD)).await;
    let due = app.renewal_due(&c, 20, 300_000).await;
    let method = app.saved_method(&c, "tok_ok").await;
    app.staff("agent.helper", StaffRole::Agent).await;
    let staff = app.browser();
    assert_eq!(
        redirected(&staff.staff_login("agent.helper", PASSWORD).await),
        "/staff"
    );
    let customer_id = app.customer_id(&c.phone).await;
    view_as(&app, "agent.helper", &customer_id, 10).await;

    // Reads: exactly the customer's pages, numbers masked (staff never passed a check).
    assert!(staff.page("/").await.contains("王伟"));
    let policy = staff.page(&format!("/policies/{}", due.policy_id)).await;
    assert!(!policy.contains(&c.policy_no));
    staff
        .page(&format!("/policies/{}/renew", due.policy_id))
        .await;

    // Writes: every one refused, nothing changed.
    let sessions_before = app
        .count(
            "SELECT COUNT(*) FROM sessions WHERE customer_id = $1",
            &customer_id,
        )
        .await;
    let writes: Vec<(&str, Vec<(&str, String)>)> = vec![
        (
            "/api/step_up",
            vec![
                ("id_last4", c.id_last4.clone()),
                ("next", "/policies".into()),
            ],
        ),
        ("/api/step_up_send_code", vec![("next", "/policies".into())]),
        (
            "/api/set_auto_debit",
            vec![
                ("policy_id", due.policy_id.clone()),
                ("enable", "on".into()),
            ],
        ),
        (
            "/api/pay_renewal",
            vec![
                ("policy_id", due.policy_id.clone()),
                ("offer_id", due.offer_id.clone()),
                ("version", "1".into()),
                ("key", "impersonation-key-0001".into()),
                ("method", format!("saved:{method}")),
            ],
        ),
        (
            "/api/save_notification_preferences",
            vec![("time_window", "evening".into())],
        ),
        ("/api/logout_everywhere", vec![]),
    ];
    for (path, form) in &writes {
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let res = staff.post_form(path, &form).await;
        assert!(
            redirected(&res).contains("error=read_only"),
            "{path} → {}",
            location(res.headers())
        );
    }
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM payments WHERE customer_id = $1",
            &customer_id
        )
        .await,
        0
    );
    assert_eq!(
        app.sms_count(&c.phone).await,
        0,
        "no code texted to the customer"
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM policies WHERE customer_id = $1 AND auto_debit <> 0",
            &customer_id
        )
        .await,
        0
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM notification_preferences WHERE customer_id = $1 AND time_window = 'evening'", &customer_id).await,
        0
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM sessions WHERE customer_id = $1",
            &customer_id
        )
        .await,
        sessions_before
    );
    let msg = staff
        .page(&format!(
            "/policies/{}/renew?error=read_only",
            due.policy_id
        ))
        .await;
    assert!(msg.contains("只有客户本人"), "told why, in Chinese");

    // When its time is up the view ends by itself: the staff member is back in the console.
    app.clock.advance(11 * 60);
    assert_eq!(redirected(&staff.get("/").await), "/login");
    assert_eq!(staff.get("/staff").await.status(), 200);
}
