//! Servicing (保全), the money side, end to end over HTTP: the payout account and the
//! auto-debit method change after a step-up check, at once, masked, with an SMS to the
//! phone; a policy loan is quoted, asked for, approved once by a reviewer and its balance
//! grows by the day — and every way that must not go wrong: no step-up, amounts outside
//! the terms, a loan the policy no longer covers, two reviewers at once, staff viewing as
//! the customer, someone else's policy, nonsense fields.

use crate::access::{assert_read_only, view_as};
use crate::helpers::*;
use crate::servicing::{holder, request_id_of, request_state, reviewer, servicing_sms};
use app::model::StaffRole;

const ACCOUNTS: &str = "/requests/new/accounts";

fn loan_page(policy: &str) -> String {
    format!("/policies/{policy}/loan")
}

/// The core system values the policy at `fen`.
async fn valued(app: &TestApp, policy: &str, fen: i64) {
    app::backend::store::loans::set_cash_value(&app.state.db.pool, policy, fen, "2026-11-30")
        .await
        .unwrap();
}

async fn payout_account(b: &Browser, bank: &str, account_no: &str) -> String {
    post(
        b,
        "change_payout_account",
        &[
            ("payout", "bank"),
            ("bank", bank),
            ("account_no", account_no),
        ],
    )
    .await
}

async fn loans_of(app: &TestApp, policy: &str) -> Vec<(i64, String, String)> {
    sqlx::query_as(
        "SELECT principal_fen, start_date, due_date FROM policy_loans WHERE policy_id = $1",
    )
    .bind(policy)
    .fetch_all(&app.state.db.pool)
    .await
    .unwrap()
}

async fn accounts_of(
    app: &TestApp,
    c: &Customer,
) -> (Option<String>, Option<String>, Option<String>) {
    sqlx::query_as(
        "SELECT debit_method_id, payout_method_id, payout_masked FROM customers WHERE phone = $1",
    )
    .bind(&c.phone)
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap()
}

/// A form for each money change, filled in as the customer would.
fn money_forms(policy: &str) -> [(&'static str, Vec<(&'static str, &str)>); 3] {
    [
        (
            "change_payout_account",
            vec![
                ("payout", "bank"),
                ("bank", "icbc"),
                ("account_no", "6222021001122334455"),
            ],
        ),
        (
            "change_debit_method",
            vec![
                ("method", "new"),
                ("bank", "icbc"),
                ("card_no", "6222020000000007"),
            ],
        ),
        (
            "request_loan",
            vec![("policy_id", policy), ("amount", "20000")],
        ),
    ]
}

#[tokio::test]
async fn a_payout_account_changes_after_a_step_up_shows_only_masked_and_texts_the_phone() {
    let app = spawn_app().await;
    let (c, b, _) = holder(&app, "13900002201", false).await;
    let page = b.page(ACCOUNTS).await;
    assert!(
        page.contains("data-testid=\"id-check-form\""),
        "the step-up first"
    );
    assert!(!page.contains("data-testid=\"payout-form\""));
    assert_eq!(
        payout_account(&b, "cmb", "6225 8801 3770 6866").await,
        format!("{ACCOUNTS}?error=step_up_required")
    );
    assert_eq!(accounts_of(&app, &c).await.2, None, "nothing changed");

    let res = b
        .post_form(
            "/api/step_up",
            &[("id_last4", &c.id_last4), ("next", ACCOUNTS)],
        )
        .await;
    assert_eq!(redirected(&res), ACCOUNTS);
    assert!(b
        .page(ACCOUNTS)
        .await
        .contains("data-testid=\"payout-form\""));
    let to = payout_account(&b, "cmb", "6225 8801 3770 6866").await;
    assert!(to.ends_with("?done=payout_account"), "{to}");
    let id = request_id_of(&to);
    assert_eq!(request_state(&app, &id).await, "done", "no review needed");
    let done = b.page(&to).await;
    assert!(
        done.contains("招商银行 ****6866") && done.contains("收款账户已更新"),
        "{done}"
    );
    for page in [done, b.page(ACCOUNTS).await, b.page("/requests").await] {
        assert!(
            !page.contains("6225880137706866") && !page.contains("88013770"),
            "never whole"
        );
    }
    assert!(b.page(ACCOUNTS).await.contains("招商银行 ****6866"));
    let sms = servicing_sms(&app, &c.phone).await;
    assert_eq!(sms.len(), 1, "{sms:?}");
    assert!(
        sms[0].contains("****6866") && sms[0].contains("95500"),
        "{sms:?}"
    );
    assert_eq!(
        audited(&app, "servicing.payout_account_changed", &id).await,
        1
    );

    // Bad input: a message, nothing changed.
    for (bank, no, code) in [
        ("", "6225880137706866", "account_bank"),
        ("bank-of-nowhere", "6225880137706866", "account_bank"),
        ("icbc", "1234", "account_number"),
        ("icbc", "6225-abcd-1234-5678", "account_number"),
        ("icbc", &"9".repeat(5000), "account_number"),
    ] {
        let to = payout_account(&b, bank, no).await;
        assert_eq!(to, format!("{ACCOUNTS}?error={code}"), "{bank} {no}");
    }
    let to = post(
        &b,
        "change_payout_account",
        &[("payout", "someone-elses-method")],
    )
    .await;
    assert_eq!(to, format!("{ACCOUNTS}?error=account_choice"));
    let to = post(&b, "change_payout_account", &[]).await;
    assert_eq!(to, format!("{ACCOUNTS}?error=account_choice"));
    assert!(b
        .page(&format!("{ACCOUNTS}?error=account_number"))
        .await
        .contains("银行账号应为 12–30 位数字"));
    assert_eq!(
        accounts_of(&app, &c).await.2.as_deref(),
        Some("招商银行 ****6866")
    );
    assert_eq!(servicing_sms(&app, &c.phone).await.len(), 1);
}

#[tokio::test]
async fn auto_debit_charges_the_method_the_customer_chose_and_one_card_may_serve_both() {
    let app = spawn_app().await;
    let (c, b, _) = holder(&app, "13900002202", true).await;
    let default = app.saved_method(&c, "tok_ok").await;
    let due = app.renewal_due(&c, 2, 300_000).await;
    sqlx::query("UPDATE policies SET auto_debit = 1 WHERE id = $1")
        .bind(&due.policy_id)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    let page = b.page(ACCOUNTS).await;
    assert!(
        page.contains("招商银行 ****6218"),
        "the default method, masked"
    );

    // A card that fails the Luhn check, and no bank: refused, nothing saved.
    for (bank, card, code) in [
        ("cmb", "6222020000000008", "account_card"),
        ("", "6222020000000007", "account_bank"),
    ] {
        let to = post(
            &b,
            "change_debit_method",
            &[("method", "new"), ("bank", bank), ("card_no", card)],
        )
        .await;
        assert_eq!(to, format!("{ACCOUNTS}?error={code}"));
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM payment_methods WHERE gateway_token <> 'tok_ok' AND customer_id = (SELECT id FROM customers WHERE phone = $1)", &c.phone).await,
        0
    );
    let to = post(
        &b,
        "change_debit_method",
        &[
            ("method", "new"),
            ("bank", "icbc"),
            ("card_no", "6222 0200 0000 0007"),
            ("also_payout", "on"),
        ],
    )
    .await;
    assert!(to.ends_with("?done=debit_method"), "{to}");
    let (debit, payout_method, masked) = accounts_of(&app, &c).await;
    let new_card = debit.expect("a debit method chosen");
    assert_ne!(new_card, default);
    assert_eq!(
        payout_method.as_deref(),
        Some(new_card.as_str()),
        "one card for both"
    );
    assert_eq!(masked.as_deref(), Some("工商银行 ****0007"));
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM payment_methods WHERE gateway_token LIKE '%' || $1 || '%'",
            "6222020000000007"
        )
        .await,
        0,
        "only the provider's token is kept"
    );
    let sms = servicing_sms(&app, &c.phone).await;
    assert_eq!(sms.len(), 2, "one for each change: {sms:?}");
    let policy_page = b.page(&format!("/policies/{}", due.policy_id)).await;
    assert!(
        policy_page.contains("工商银行 ****0007"),
        "the policy says what it charges"
    );

    // The auto-debit job charges the chosen card, not the default one.
    app::backend::services::payments::auto_debit_due(&app.state)
        .await
        .unwrap();
    let (label,): (String,) = sqlx::query_as("SELECT method FROM payments WHERE offer_id = $1")
        .bind(&due.offer_id)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(label, "工商银行 ****0007");

    // Back to the saved default; the payout account stays where it was.
    let to = post(&b, "change_debit_method", &[("method", &default)]).await;
    assert!(to.ends_with("?done=debit_method"), "{to}");
    let (debit, payout_method, _) = accounts_of(&app, &c).await;
    assert_eq!(debit.as_deref(), Some(default.as_str()));
    assert_eq!(
        payout_method.as_deref(),
        Some(new_card.as_str()),
        "separate"
    );
    assert!(post(&b, "change_debit_method", &[("method", "not-mine")])
        .await
        .ends_with("error=account_choice"));
}

#[tokio::test]
async fn a_policy_loan_is_quoted_asked_for_approved_once_and_its_balance_grows_by_the_day() {
    let app = spawn_app().await;
    let staff: Vec<Browser> = {
        let mut v = vec![];
        for i in 0..4 {
            v.push(reviewer(&app, &format!("claims.loan{i}")).await);
        }
        v
    };
    let (c, b, policy) = holder(&app, "13900002203", true).await;
    valued(&app, &policy, 5_000_000).await;
    let page = b.page(&loan_page(&policy)).await;
    assert!(
        page.contains("¥50,000.00") && page.contains("¥40,000.00"),
        "cash value and maximum"
    );
    assert!(
        page.contains("5.00%") && page.contains("180 天"),
        "rate and term"
    );
    assert!(
        page.contains("data-testid=\"no-payout\""),
        "a payout account first"
    );
    assert_eq!(
        post(
            &b,
            "request_loan",
            &[("policy_id", &policy), ("amount", "20000")]
        )
        .await,
        format!("{}?error=no_payout_account", loan_page(&policy))
    );
    assert!(payout_account(&b, "cmb", "6225880137706866")
        .await
        .contains("done="));
    assert!(b
        .page(&loan_page(&policy))
        .await
        .contains("data-testid=\"loan-form\""));

    for (amount, code) in [
        ("", "loan_amount"),
        ("abc", "loan_amount"),
        ("-5000", "loan_amount"),
        ("1000.50", "loan_amount"),
        ("999", "loan_below_minimum"),
        ("40001", "loan_above_maximum"),
        ("99999999999999", "loan_amount"),
        (&"9".repeat(5000), "loan_amount"),
    ] {
        assert_eq!(
            post(
                &b,
                "request_loan",
                &[("policy_id", &policy), ("amount", amount)]
            )
            .await,
            format!("{}?error={code}", loan_page(&policy)),
            "{amount}"
        );
    }
    let to = post(
        &b,
        "request_loan",
        &[("policy_id", &policy), ("amount", "¥20,000")],
    )
    .await;
    assert!(to.ends_with("?done=submitted"), "{to}");
    let id = request_id_of(&to);
    let mine = b.page(&to).await;
    assert!(
        mine.contains("¥20,000.00") && mine.contains("招商银行 ****6866"),
        "{mine}"
    );
    assert!(post(
        &b,
        "request_loan",
        &[("policy_id", &policy), ("amount", "5000")]
    )
    .await
    .ends_with("error=request_open"));
    assert!(
        loans_of(&app, &policy).await.is_empty(),
        "nothing before approval"
    );

    assert!(staff[0].page("/staff/requests").await.contains(&id));
    let review = staff[0].page(&format!("/staff/requests/{id}")).await;
    assert!(review.contains("¥20,000.00") && review.contains("¥40,000.00"));
    post(&staff[0], "review_service_request", &[("request_id", &id)]).await;
    let form = [("request_id", id.as_str())];
    let results = futures::future::join_all(
        staff
            .iter()
            .map(|s| s.post_form("/api/approve_service_request", &form)),
    )
    .await;
    let targets: Vec<String> = results.iter().map(redirected).collect();
    let won = targets.iter().filter(|t| t.ends_with("?done=done")).count();
    assert_eq!(won, 1, "{targets:?}");
    let today = app.clock.today_shanghai();
    let due = today + chrono::Duration::days(180);
    assert_eq!(
        loans_of(&app, &policy).await,
        vec![(
            2_000_000,
            today.format("%Y-%m-%d").to_string(),
            due.format("%Y-%m-%d").to_string()
        )],
        "one loan"
    );
    let sms = servicing_sms(&app, &c.phone).await;
    assert_eq!(
        sms.iter().filter(|s| s.contains("保单贷款")).count(),
        1,
        "{sms:?}"
    );
    assert_eq!(audited(&app, "servicing.approved", &id).await, 1);

    let page = b.page(&loan_page(&policy)).await;
    assert!(page.contains("data-testid=\"loan-outstanding\""));
    assert!(
        page.contains("¥20,000.00"),
        "owed on day one: the principal"
    );
    // A month on (signed in again): 30 days of 5 % a year on ¥20,000 is ¥82.19.
    app.clock.advance(30 * 86_400);
    assert_eq!(redirected(&b.login(&c.phone, PASSWORD).await), "/");
    b.post_form("/api/step_up", &[("id_last4", &c.id_last4), ("next", "/")])
        .await;
    let page = b.page(&loan_page(&policy)).await;
    assert!(
        page.contains("¥20,082.19") && page.contains("¥82.19"),
        "{page}"
    );
    assert!(b
        .page(&format!("/policies/{policy}"))
        .await
        .contains("¥20,082.19"));
    // One loan outstanding at a time.
    assert!(post(
        &b,
        "request_loan",
        &[("policy_id", &policy), ("amount", "5000")]
    )
    .await
    .ends_with("error=loan_outstanding"));
}

#[tokio::test]
async fn a_loan_the_policy_no_longer_covers_cannot_be_approved_and_is_rejected_with_a_reason() {
    let app = spawn_app().await;
    let staff = reviewer(&app, "claims.revalue").await;
    let (c, b, policy) = holder(&app, "13900002204", true).await;
    valued(&app, &policy, 5_000_000).await;
    payout_account(&b, "cmb", "6225880137706866").await;
    let id = request_id_of(
        &post(
            &b,
            "request_loan",
            &[("policy_id", &policy), ("amount", "40000")],
        )
        .await,
    );
    post(&staff, "review_service_request", &[("request_id", &id)]).await;
    // Revalued down before approval: ¥10,000 lends ¥8,000.
    valued(&app, &policy, 1_000_000).await;
    let back = format!("/staff/requests/{id}");
    assert_eq!(
        post(&staff, "approve_service_request", &[("request_id", &id)]).await,
        format!("{back}?error=request_cannot_apply")
    );
    assert_eq!(request_state(&app, &id).await, "in_review");
    assert!(loans_of(&app, &policy).await.is_empty());
    assert!(staff
        .page(&format!("{back}?error=request_cannot_apply"))
        .await
        .contains("不予通过"));
    let to = post(
        &staff,
        "reject_service_request",
        &[
            ("request_id", &id),
            ("reason", "现金价值已调整，可贷金额不足，请按新额度重新申请"),
        ],
    )
    .await;
    assert_eq!(to, format!("{back}?done=rejected"));
    assert!(servicing_sms(&app, &c.phone)
        .await
        .iter()
        .any(|s| s.contains("可贷金额不足")));
    // The customer may ask again, within the new limit.
    assert!(post(
        &b,
        "request_loan",
        &[("policy_id", &policy), ("amount", "8000")]
    )
    .await
    .ends_with("?done=submitted"));
}

#[tokio::test]
async fn staff_viewing_as_the_customer_see_accounts_and_loans_but_never_change_or_borrow() {
    let app = spawn_app().await;
    let (c, owner, policy) = holder(&app, "13900002205", true).await;
    valued(&app, &policy, 5_000_000).await;
    payout_account(&owner, "cmb", "6225880137706866").await;
    app.staff("agent.money", StaffRole::Agent).await;
    let staff = app.browser();
    staff.staff_login("agent.money", PASSWORD).await;
    view_as(&staff, &app.customer_id(&c.phone).await).await;
    let before = crate::access::footprint(&app, &c).await;
    for page in [ACCOUNTS.to_owned(), loan_page(&policy)] {
        let body = staff.page(&page).await;
        assert!(body.contains("只有客户本人可以提交变更"), "{page}");
        assert!(
            !body.contains("data-testid=\"loan-form\"")
                && !body.contains("data-testid=\"payout-form\"")
        );
    }
    for (f, form) in money_forms(&policy) {
        assert_read_only(staff.post_form(&format!("/api/{f}"), &form).await, f).await;
    }
    assert_eq!(crate::access::footprint(&app, &c).await, before);
}

#[tokio::test]
async fn another_customers_loan_page_is_not_found_and_other_lines_lend_nothing() {
    let app = spawn_app().await;
    let (_, _, policy) = holder(&app, "13900002206", true).await;
    valued(&app, &policy, 5_000_000).await;
    let (other, b, own_life) = holder(&app, "13900002207", true).await;
    assert_eq!(b.get(&loan_page(&policy)).await.status(), 404);
    let back = post(
        &b,
        "request_loan",
        &[("policy_id", &policy), ("amount", "20000")],
    )
    .await;
    assert_eq!(back, loan_page(&policy));
    assert_eq!(b.get(&back).await.status(), 404);
    assert!(loans_of(&app, &policy).await.is_empty());
    assert_eq!(
        app.count("SELECT COUNT(*) FROM service_requests WHERE kind = 'loan' AND customer_id = (SELECT id FROM customers WHERE phone = $1)", &other.phone).await,
        0
    );
    // A motor policy, and a life policy without a cash value, lend nothing.
    let due = app.renewal_due(&other, 20, 300_000).await;
    for p in [&due.policy_id, &own_life] {
        assert!(b
            .page(&loan_page(p))
            .await
            .contains("data-testid=\"loan-not-eligible\""));
        assert!(
            post(&b, "request_loan", &[("policy_id", p), ("amount", "20000")])
                .await
                .ends_with("error=loan_not_eligible")
        );
    }
}

#[tokio::test]
async fn account_and_loan_forms_from_another_site_are_refused() {
    let app = spawn_app().await;
    let (c, b, policy) = holder(&app, "13900002208", true).await;
    valued(&app, &policy, 5_000_000).await;
    let before = crate::access::footprint(&app, &c).await;
    for (f, form) in money_forms(&policy) {
        let res = b.post_from_elsewhere(&format!("/api/{f}"), &form).await;
        assert_eq!(res.status(), 403, "{f}");
    }
    assert_eq!(crate::access::footprint(&app, &c).await, before);
}

#[tokio::test]
async fn a_claim_can_be_paid_into_the_payout_account_on_file() {
    let app = spawn_app().await;
    let (_, b, policy) = holder(&app, "13900002209", true).await;
    let fields = |payout: &'static str| {
        vec![
            ("policy_id", policy.clone()),
            ("incident_date", app.clock.today_iso()),
            ("place", "上海市第六人民医院".to_owned()),
            ("description", "住院治疗肺炎 5 天".to_owned()),
            ("amount", "3500".to_owned()),
            ("payout", payout.to_owned()),
        ]
    };
    let send = |f: Vec<(&'static str, String)>| {
        let b = &b;
        async move {
            let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            redirected(&b.post_multipart("/claims/report", &f, &[]).await)
        }
    };
    // Nothing on file yet: refused, with the payout fields marked.
    assert!(send(fields("on_file"))
        .await
        .contains("error=payout_account"));
    assert!(!b
        .page(&format!("/claims/new?policy={policy}"))
        .await
        .contains("payout-on-file"));
    payout_account(&b, "cmb", "6225880137706866").await;
    let form = b.page(&format!("/claims/new?policy={policy}")).await;
    assert!(form.contains("payout-on-file") && form.contains("招商银行 ****6866"));
    let to = send(fields("on_file")).await;
    assert!(to.starts_with("/claims/"), "{to}");
    let (masked, no): (String, Option<String>) =
        sqlx::query_as("SELECT payout_masked, payout_account_no FROM claims WHERE policy_id = $1")
            .bind(&policy)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!(masked, "招商银行 ****6866");
    assert_eq!(
        no.as_deref(),
        Some("6225880137706866"),
        "the payout needs the whole number"
    );
    assert!(!b.page(&to).await.contains("6225880137706866"));
}
