use crate::helpers::*;
use app::backend::demo::{generate, DEMO_SEED};

async fn people(app: &TestApp) -> Vec<(String, String)> {
    sqlx::query_as("SELECT phone, name FROM customers ORDER BY phone")
        .fetch_all(&app.state.db.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn demo_data_is_believable_and_the_same_for_the_same_seed() {
    let a = spawn_app().await;
    let b = spawn_app().await;
    let s = generate(&a.state, DEMO_SEED).await.unwrap();
    generate(&b.state, DEMO_SEED).await.unwrap();
    assert!(
        s.customers >= 30 && s.policies >= 80,
        "{} customers, {} policies",
        s.customers,
        s.policies
    );
    assert_eq!(people(&a).await, people(&b).await);
    let pool = &a.state.db.pool;
    let lines: Vec<(String,)> = sqlx::query_as(
        "SELECT DISTINCT pr.line FROM policies p JOIN products pr ON pr.id = p.product_id ORDER BY pr.line",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    assert_eq!(lines.len(), 4, "auto, health, life, home");
    let stages: Vec<(String,)> = sqlx::query_as("SELECT DISTINCT stage FROM claims")
        .fetch_all(pool)
        .await
        .unwrap();
    assert_eq!(stages.len(), 7, "claims in every stage");
    let (due,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM renewal_offers WHERE state = 'open'")
        .fetch_one(pool)
        .await
        .unwrap();
    assert!(due >= 5, "{due} policies due for renewal");
    let (lapsed,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM policies WHERE status = 'lapsed'")
        .fetch_one(pool)
        .await
        .unwrap();
    assert!(lapsed >= 3);
    let roles: Vec<(String,)> = sqlx::query_as("SELECT DISTINCT role FROM staff")
        .fetch_all(pool)
        .await
        .unwrap();
    assert_eq!(roles.len(), 4);
    let (slots,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM slots")
        .fetch_one(pool)
        .await
        .unwrap();
    assert!(slots > 100);

    // Every renewal offer's price items sum exactly to the difference.
    let bad: Vec<(String,)> = sqlx::query_as(
        "SELECT o.id FROM renewal_offers o WHERE o.premium_fen - o.previous_premium_fen <> \
         (SELECT COALESCE(SUM(i.amount_fen), 0) FROM renewal_price_items i WHERE i.offer_id = o.id)",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    assert!(bad.is_empty());

    // The demo login works.
    let browser = a.browser();
    let res = browser
        .login(
            &app::backend::demo::customer_phone(1),
            app::backend::demo::CUSTOMER_PASSWORD,
        )
        .await;
    assert_eq!(redirected(&res), "/");
    assert!(browser.page("/").await.contains("policy-card"));
    // Demo customers pass the step-up check with their documented ID digits, and the
    // first ones have a renewal waiting.
    let res = browser
        .post_form(
            "/api/step_up",
            &[
                ("id_last4", &app::backend::demo::demo_id_last4(1)),
                ("next", "/policies"),
            ],
        )
        .await;
    assert_eq!(redirected(&res), "/policies");
    for n in 1..=app::backend::demo::DUE_FOR_RENEWAL {
        let (due,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM renewal_offers o JOIN customers c ON c.id = o.customer_id \
             WHERE c.phone = $1 AND o.state = 'open'",
        )
        .bind(app::backend::demo::customer_phone(n))
        .fetch_one(pool)
        .await
        .unwrap();
        assert!(due >= 1, "customer {n} has a renewal due");
    }
}

#[tokio::test]
async fn demo_services_are_used_and_left_and_their_counters_agree_with_the_rows() {
    let app = spawn_app().await;
    generate(&app.state, DEMO_SEED).await.unwrap();
    let pool = &app.state.db.pool;
    let n = |sql: &'static str| async move {
        let (n,): (i64,) = sqlx::query_as(sql).fetch_one(pool).await.unwrap();
        n
    };
    let now = app.clock.now().to_string();
    let upcoming = app
        .count(
            "SELECT COUNT(*) FROM bookings b JOIN slots s ON s.id = b.slot_id WHERE b.state = 'booked' AND s.starts_at > CAST($1 AS BIGINT)",
            &now,
        )
        .await;
    assert!(upcoming >= 5, "{upcoming} appointments to come");
    assert!(n("SELECT COUNT(*) FROM bookings WHERE state = 'completed'").await >= 3);
    assert!(n("SELECT COUNT(*) FROM bookings WHERE state = 'no_show'").await >= 1);
    assert!(
        n("SELECT COUNT(*) FROM roadside_requests WHERE state <> 'completed'").await >= 1,
        "a roadside request in progress"
    );
    assert!(n("SELECT COUNT(*) FROM roadside_requests WHERE state = 'completed'").await >= 1);
    assert_eq!(
        n(
            "SELECT COUNT(*) FROM slots s JOIN providers p ON p.id = s.provider_id \
           JOIN service_kinds k ON k.id = p.service_kind_id WHERE k.code = 'roadside_assistance'"
        )
        .await,
        0,
        "roadside providers take calls, not appointments"
    );
    // Every slot's count is its live appointments; every usage row its spent uses.
    assert_eq!(
        n("SELECT COUNT(*) FROM slots s WHERE s.booked <> \
           (SELECT COUNT(*) FROM bookings b WHERE b.slot_id = s.id AND b.state <> 'cancelled')")
        .await,
        0
    );
    assert_eq!(
        n("SELECT COUNT(*) FROM entitlement_usage u WHERE u.used <> \
           (SELECT COUNT(*) FROM bookings b WHERE b.policy_id = u.policy_id AND b.service_kind_id = u.service_kind_id \
              AND b.usage_year = u.year_start AND b.state <> 'cancelled') + \
           (SELECT COUNT(*) FROM roadside_requests r WHERE r.policy_id = u.policy_id \
              AND r.service_kind_id = u.service_kind_id AND r.usage_year = u.year_start)")
        .await,
        0
    );
    // Some check-ups used up, some left.
    assert!(n("SELECT COUNT(*) FROM entitlement_usage WHERE used = allowed").await >= 1);
    // The browser tests book a check-up as customers 17, 18 and 20, and call for roadside
    // help as 24–26 (end2end/tests/services.spec.ts).
    for c in [17, 18, 20, 24, 25, 26] {
        let id = app
            .customer_id(&app::backend::demo::customer_phone(c))
            .await;
        let rows = app::backend::store::bookings::entitlements(pool, &id, &app.clock.today_iso())
            .await
            .unwrap();
        assert!(
            rows.iter().any(|e| if c < 24 {
                e.kind_code == "health_checkup" && e.left() > 0
            } else {
                e.kind_code == "roadside_assistance"
            }),
            "demo customer {c} has what the browser tests use"
        );
    }
}

#[tokio::test]
async fn demo_surveys_fill_the_results_and_leave_some_to_answer() {
    let app = spawn_app().await;
    generate(&app.state, DEMO_SEED).await.unwrap();
    let pool = &app.state.db.pool;
    let n = |sql: &'static str| async move {
        let (n,): (i64,) = sqlx::query_as(sql).fetch_one(pool).await.unwrap();
        n
    };
    assert!(n("SELECT COUNT(*) FROM survey_responses").await >= 15);
    assert!(
        n("SELECT COUNT(DISTINCT service) FROM survey_invitations").await >= 3,
        "appointments, roadside help and claims"
    );
    assert!(n("SELECT COUNT(*) FROM survey_invitations WHERE state = 'sent'").await >= 5);
    assert!(n("SELECT COUNT(*) FROM survey_responses WHERE comment <> ''").await >= 5);
    assert_eq!(
        n("SELECT COUNT(*) FROM survey_invitations WHERE service = ''").await,
        0
    );
    // Never two invitations for one customer within 30 days.
    assert_eq!(
        n(
            "SELECT COUNT(*) FROM survey_invitations a JOIN survey_invitations b \
           ON a.customer_id = b.customer_id AND a.id <> b.id \
           AND b.sent_at >= a.sent_at AND b.sent_at < a.sent_at + 2592000"
        )
        .await,
        0
    );
    // Results over the last six months: a real chart.
    let q = app::backend::services::surveys::ResultsQuery::parse(
        None,
        None,
        None,
        app.clock.today_shanghai(),
    );
    let r = app::backend::services::surveys::results(&app.state, &q)
        .await
        .unwrap();
    assert!(r.total.answered() >= 10, "{:?}", r.total);
    assert!(r.by_month.iter().filter(|(_, t)| t.sent > 0).count() >= 3);
    // Open invitations were texted (the browser tests take their links from the outbox).
    let now = app.clock.now().to_string();
    let open = app
        .count(
            "SELECT COUNT(*) FROM survey_invitations i JOIN sms_outbox m ON m.dedupe_key = 'survey:' || i.id \
             WHERE i.state = 'sent' AND i.expires_at > CAST($1 AS BIGINT)",
            &now,
        )
        .await;
    assert!(open >= 4, "{open} open surveys texted");
    let shown = app::backend::store::outbox::newest(pool, 200)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.category == "survey" && m.body.contains("/s/"))
        .count();
    assert!(shown >= 4, "{shown} survey texts on the outbox page");
    // Customer 1 (the demo login) has one open, on their latest appointment's page.
    let c1 = app
        .customer_id(&app::backend::demo::customer_phone(1))
        .await;
    let open = app::backend::services::surveys::open_for_customer(&app.state, &c1)
        .await
        .unwrap();
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0].subject, app::model::SurveySubject::Booking);
}
