use crate::helpers::*;

#[tokio::test]
async fn first_time_customer_activates_and_is_logged_in() {
    let app = spawn_app().await;
    let c = app.customer("13900000021", "罗建华", None).await;
    let b = app.browser();

    let res = b
        .post_form(
            "/api/start_activation",
            &[("policy_no", "PA20269999999"), ("id_last4", &c.id_last4)],
        )
        .await;
    assert_eq!(redirected(&res), "/activate?error=no_match");
    let res = b
        .post_form(
            "/api/start_activation",
            &[("policy_no", &c.policy_no), ("id_last4", "0000")],
        )
        .await;
    assert_eq!(redirected(&res), "/activate?error=no_match");
    assert_eq!(app.sms_count(&c.phone).await, 0, "no code without a match");

    // Lower-case x and spaces in the policy number are accepted.
    let spaced = format!("{} {}", &c.policy_no[..6], &c.policy_no[6..]).to_lowercase();
    let res = b
        .post_form(
            "/api/start_activation",
            &[("policy_no", &spaced), ("id_last4", "123x")],
        )
        .await;
    let to = redirected(&res);
    assert!(to.starts_with("/activate/verify?c="), "{to}");
    let challenge = to.trim_start_matches("/activate/verify?c=").to_owned();
    assert!(b.page(&to).await.contains("139****0021"));
    let code = app.last_code(&c.phone).await;

    // A weak password is refused with the reason, and the code stays usable.
    let res = b
        .post_form(
            "/api/complete_activation",
            &[
                ("c", &challenge),
                ("code", &code),
                ("password", "password123"),
                ("confirm", "password123"),
            ],
        )
        .await;
    let to = redirected(&res);
    assert!(to.contains("error=weak&reason="), "{to}");
    assert!(b.page(&to).await.contains("class=\"alert alert-error\""));
    let res = b
        .post_form(
            "/api/complete_activation",
            &[
                ("c", &challenge),
                ("code", &code),
                ("password", "short"),
                ("confirm", "short"),
            ],
        )
        .await;
    assert!(redirected(&res).contains("reason=too_short"));
    let res = b
        .post_form(
            "/api/complete_activation",
            &[
                ("c", &challenge),
                ("code", &code),
                ("password", "x13900000021y!"),
                ("confirm", "x13900000021y!"),
            ],
        )
        .await;
    assert!(redirected(&res).contains("reason=personal"));

    let res = b
        .post_form(
            "/api/complete_activation",
            &[
                ("c", &challenge),
                ("code", &code),
                ("password", PASSWORD),
                ("confirm", PASSWORD),
            ],
        )
        .await;
    assert_eq!(redirected(&res), "/");
    assert!(b.page("/").await.contains("罗建华"));

    // From now on the password works, and activation is refused.
    let other = app.browser();
    assert_eq!(redirected(&other.login(&c.phone, PASSWORD).await), "/");
    let res = other
        .post_form(
            "/api/start_activation",
            &[("policy_no", &c.policy_no), ("id_last4", &c.id_last4)],
        )
        .await;
    // The same answer as wrong digits: "already active" would confirm a guess of them.
    assert_eq!(redirected(&res), "/activate?error=no_match");
    assert!(other
        .page("/activate?error=no_match")
        .await
        .contains("如已激活过，请直接登录"));
}

#[tokio::test]
async fn guessing_id_digits_locks_the_policy_number() {
    let app = spawn_app().await;
    let c = app.customer("13900000022", "高明", None).await;
    let b = app.browser();
    for guess in ["0001", "0002", "0003", "0004", "0005"] {
        let res = b
            .post_form(
                "/api/start_activation",
                &[("policy_no", &c.policy_no), ("id_last4", guess)],
            )
            .await;
        assert_eq!(redirected(&res), "/activate?error=no_match");
    }
    let res = b
        .post_form(
            "/api/start_activation",
            &[("policy_no", &c.policy_no), ("id_last4", &c.id_last4)],
        )
        .await;
    assert!(redirected(&res).starts_with("/activate?error=locked"));
    assert_eq!(app.sms_count(&c.phone).await, 0);
}
