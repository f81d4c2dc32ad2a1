//! Another customer's policy, offer, payment or e-policy is a 404, and nothing changes.

use crate::helpers::*;
use reqwest::StatusCode;

#[tokio::test]
async fn another_customers_policies_offers_and_payments_are_not_found() {
    let app = spawn_app().await;
    let owner = app.customer("13900000201", "甲", Some(PASSWORD)).await;
    let other = app.customer("13900000202", "乙", Some(PASSWORD)).await;
    let due = app.renewal_due(&owner, 10, 250_000).await;

    let ob = app.browser();
    ob.login_and_step_up(&owner).await;
    let pay = ob
        .pay(&due, "1", "owner-key-000000000001", "wechat", "")
        .await;
    let payment = redirected(&pay);
    app.settled_state(payment.trim_start_matches("/payments/"))
        .await;

    let intruder = app.browser();
    intruder.login_and_step_up(&other).await;
    for path in [
        format!("/policies/{}", due.policy_id),
        format!("/policies/{}/renew", due.policy_id),
        format!("/policies/{}/document", due.policy_id),
        payment.clone(),
    ] {
        let res = intruder.get(&path).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
        let body = res.text().await.unwrap();
        assert!(
            !body.contains(&due.policy_id[..8]) || !body.contains("甲"),
            "{path} leaks"
        );
    }
    // Server functions: another customer's ids change nothing, and the browser is sent to
    // that thing's page, which is the 404 page for this caller.
    let res = intruder
        .pay(&due, "2", "intruder-key-000000001", "wechat", "")
        .await;
    let to = redirected(&res);
    assert!(
        to.starts_with(&format!("/policies/{}/renew", due.policy_id)),
        "{to}"
    );
    assert_eq!(intruder.get(&to).await.status(), StatusCode::NOT_FOUND);
    let res = intruder
        .post_form(
            "/api/set_auto_debit",
            &[("policy_id", &due.policy_id), ("enable", "on")],
        )
        .await;
    let to = redirected(&res);
    assert_eq!(to, format!("/policies/{}", due.policy_id));
    let res = intruder.get(&to).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(
        res.text().await.unwrap().contains("页面不存在"),
        "the friendly 404 page"
    );
    assert_eq!(
        app.count(
            "SELECT auto_debit FROM policies WHERE id = $1",
            &due.policy_id
        )
        .await,
        0
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM payments WHERE offer_id = $1",
            &due.offer_id
        )
        .await,
        1
    );
    assert!(!intruder.page("/policies").await.contains("甲"));
}

#[tokio::test]
async fn policy_pages_need_a_customer_session() {
    let app = spawn_app().await;
    let owner = app.customer("13900000203", "丙", Some(PASSWORD)).await;
    let due = app.renewal_due(&owner, 10, 250_000).await;
    let anonymous = app.browser();
    let res = anonymous
        .get(&format!("/policies/{}/renew", due.policy_id))
        .await;
    assert_eq!(
        redirected(&res),
        format!("/login?next=/policies/{}/renew", due.policy_id)
    );
    let res = anonymous
        .pay(&due, "1", "anon-key-0000000000001", "wechat", "")
        .await;
    assert_eq!(redirected(&res), "/login");
}

#[tokio::test]
async fn someone_elses_offer_on_ones_own_policy_pays_nothing_and_says_the_offer_is_closed() {
    let app = spawn_app().await;
    let owner = app.customer("13900000204", "丁", Some(PASSWORD)).await;
    let other = app.customer("13900000205", "戊", Some(PASSWORD)).await;
    let own = app.renewal_due(&owner, 10, 250_000).await;
    let foreign = app.renewal_due(&other, 10, 180_000).await;
    let b = app.browser();
    b.login_and_step_up(&owner).await;
    let res = b
        .post_form(
            "/api/pay_renewal",
            &[
                ("policy_id", &own.policy_id),
                ("offer_id", &foreign.offer_id),
                ("version", "1"),
                ("key", "mixed-offer-key-000001"),
                ("method", "wechat"),
                ("card_no", ""),
            ],
        )
        .await;
    let to = redirected(&res);
    assert_eq!(
        to,
        format!("/policies/{}/renew?error=offer_closed", own.policy_id)
    );
    assert!(b.page(&to).await.contains("data-testid=\"form-error\""));
    for offer in [&own.offer_id, &foreign.offer_id] {
        assert_eq!(
            app.count("SELECT COUNT(*) FROM payments WHERE offer_id = $1", offer)
                .await,
            0
        );
    }
}
