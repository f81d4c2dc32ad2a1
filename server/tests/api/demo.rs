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
