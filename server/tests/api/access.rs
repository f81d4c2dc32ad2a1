//! Who may see and do what: staff permissions per page, and staff viewing as a customer
//! reading that customer's pages but never acting in their name.

use crate::helpers::*;
use app::model::{Permission, StaffRole};

/// Every staff page, and the permission it needs (`None`: any member of staff).
const STAFF_PAGES: &[(&str, Option<Permission>)] = &[
    ("/staff", None),
    ("/staff/outbox", Some(Permission::ReadOutbox)),
    ("/staff/claims", Some(Permission::ClaimsQueue)),
    ("/staff/claims/{id}", Some(Permission::ClaimsQueue)),
    ("/staff/services", Some(Permission::SlotCalendars)),
    ("/staff/roadside", Some(Permission::SlotCalendars)),
    ("/staff/customers", Some(Permission::SearchCustomers)),
    ("/staff/customers/{id}", Some(Permission::ViewCustomer)),
    ("/staff/audit", Some(Permission::AuditLog)),
    ("/staff/accounts", Some(Permission::ManageStaff)),
    ("/staff/providers", Some(Permission::ManageProviders)),
    ("/staff/surveys", Some(Permission::SurveyResults)),
    ("/staff/requests", Some(Permission::ReviewServicing)),
    ("/staff/requests/{id}", Some(Permission::ReviewServicing)),
    ("/staff/cases", Some(Permission::HandleCases)),
    ("/staff/cases/{id}", Some(Permission::HandleCases)),
    ("/staff/case-stats", Some(Permission::CaseStatistics)),
];

/// `{id}` of a staff page: the claim, the customer, the servicing request or the case.
fn staff_path(path: &str, claim: &str, customer: &str, request: &str, case: &str) -> String {
    if path.starts_with("/staff/cases") {
        path.replace("{id}", case)
    } else if path.starts_with("/staff/customers") {
        path.replace("{id}", customer)
    } else if path.starts_with("/staff/requests") {
        path.replace("{id}", request)
    } else {
        path.replace("{id}", claim)
    }
}

/// A claim of `c`'s, reported through the service (no browser needed).
pub(crate) async fn claim_of(app: &TestApp, c: &Customer) -> String {
    use app::backend::services::claims::{report, PayoutChoice, Report};
    let customer_id = app.customer_id(&c.phone).await;
    let (policy_id,): (String,) = sqlx::query_as("SELECT id FROM policies WHERE policy_no = $1")
        .bind(&c.policy_no)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    let r = Report {
        policy_id,
        incident_date: app.clock.today_shanghai(),
        place: "上海".into(),
        description: "车门被刮".into(),
        amount_claimed: None,
        payout: PayoutChoice::Bank {
            bank: "招商银行".into(),
            account_no: "6225880212345678".into(),
        },
        files: vec![],
    };
    report(&app.state, &customer_id, r).await.unwrap().0
}

#[tokio::test]
async fn each_staff_page_opens_exactly_for_the_roles_that_may_use_it() {
    let app = spawn_app().await;
    let owner = app.customer("13900000800", "赵敏", Some(PASSWORD)).await;
    let claim = claim_of(&app, &owner).await;
    let owner_id = app.customer_id(&owner.phone).await;
    let request = contact_change_of(&app, &owner_id).await;
    let case = crate::cases::case_of(&app, &owner_id).await;
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
            let res = b
                .get(&staff_path(path, &claim, &owner_id, &request, &case))
                .await;
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
                redirected(
                    &b.get(&staff_path(path, &claim, &owner_id, &request, &case))
                        .await
                )
                .starts_with("/staff/login"),
                "{path}"
            );
            checked += 1;
        }
    }
    println!("staff pages: {checked} (page, caller) pairs checked");
}

/// A servicing request of the customer's: a change of contact details, made through the
/// service (done at once).
pub(crate) async fn contact_change_of(app: &TestApp, customer_id: &str) -> String {
    use app::backend::domain::servicing::Address;
    let address = Address::parse("上海市徐汇区漕溪北路 88 号").unwrap();
    app::backend::services::servicing::change_contact(
        &app.state,
        customer_id,
        &address,
        None,
        "127.0.0.1",
    )
    .await
    .unwrap()
}

/// Starts "view as customer" on `staff`'s session through the console, as staff do.
pub(crate) async fn view_as(staff: &Browser, customer_id: &str) {
    let res = staff
        .post_form(
            "/api/start_view_as",
            &[
                ("customer_id", customer_id),
                ("reason", "客户来电咨询续保价格为何上涨"),
                ("ticket", "INC-1"),
            ],
        )
        .await;
    assert_eq!(redirected(&res), "/", "view as customer started");
}

/// A change refused because staff are only viewing: a 403 page saying why, in Chinese.
pub(crate) async fn assert_read_only(res: reqwest::Response, what: &str) {
    assert_eq!(res.status(), 403, "{what}");
    let body = res.text().await.unwrap();
    assert!(body.contains("只有客户本人"), "{what}: told why");
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
    let claim = claim_of(&app, &c).await;
    let survey = app.survey_invitation(&c.phone, &claim).await.unwrap();
    view_as(&staff, &customer_id).await;

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
        ("/api/withdraw_claim", vec![("claim_id", claim.clone())]),
        (
            "/api/answer_survey",
            vec![("survey_id", survey.clone()), ("score", "10".into())],
        ),
    ];
    for (path, form) in &writes {
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_read_only(staff.post_form(path, &form).await, path).await;
    }
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM payments WHERE customer_id = $1",
            &customer_id
        )
        .await,
        0
    );
    // The survey: seen, never answered for them.
    assert!(staff
        .page(&format!("/surveys/{survey}"))
        .await
        .contains("data-testid=\"survey-form\""));
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM survey_responses WHERE customer_id = $1",
            &customer_id
        )
        .await,
        0
    );
    // The claim: seen as the customer sees it; never reported, sent to or withdrawn for them.
    assert!(staff
        .page(&format!("/claims/{claim}"))
        .await
        .contains("车门被刮"));
    let doc: (String,) =
        sqlx::query_as("SELECT id FROM claim_documents WHERE claim_id = $1 LIMIT 1")
            .bind(&claim)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    let jpeg = include_bytes!("fixtures/photo.jpg").to_vec();
    for path in [
        "/claims/report".to_owned(),
        format!("/claims/{claim}/documents/{}", doc.0),
    ] {
        let res = staff
            .post_multipart(
                &path,
                &[("policy_id", &due.policy_id)],
                &[("file", "a.jpg", jpeg.clone())],
            )
            .await;
        assert_read_only(res, &path).await;
    }
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM claim_files WHERE customer_id = $1",
            &customer_id
        )
        .await,
        0
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM claims WHERE customer_id = $1 AND stage = 'reported'",
            &customer_id
        )
        .await,
        1
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM sms_outbox WHERE phone = $1 AND category NOT IN ('claim_progress', 'survey')",
            &c.phone
        )
        .await,
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
    app.clock.advance(29 * 60);
    assert_eq!(
        staff.get("/").await.status(),
        200,
        "still viewing at 29 minutes"
    );
    app.clock.advance(61);
    assert_eq!(redirected(&staff.get("/").await), "/login");
    assert_eq!(staff.get("/staff").await.status(), 200);
}

/// Everything of customer A that a request by someone else could change.
pub(crate) async fn footprint(app: &TestApp, a: &Customer) -> Vec<i64> {
    let id = app.customer_id(&a.phone).await;
    let mut out = vec![];
    for sql in [
        "SELECT COUNT(*) FROM payments WHERE customer_id = $1",
        "SELECT COUNT(*) FROM policies WHERE customer_id = $1 AND auto_debit <> 0",
        "SELECT COUNT(*) FROM notification_preferences WHERE customer_id = $1",
        "SELECT COUNT(*) FROM sessions WHERE customer_id = $1",
        "SELECT COUNT(*) FROM sessions WHERE customer_id = $1 AND stepped_up_at IS NOT NULL",
        "SELECT COUNT(*) FROM sms_outbox WHERE customer_id = $1",
        "SELECT COUNT(*) FROM renewal_offers o JOIN policies p ON p.id = o.policy_id WHERE p.customer_id = $1 AND o.state = 'open'",
        "SELECT COUNT(*) FROM claims WHERE customer_id = $1",
        "SELECT COUNT(*) FROM claims WHERE customer_id = $1 AND stage <> 'reported'",
        "SELECT COUNT(*) FROM claim_events WHERE customer_id = $1",
        "SELECT COUNT(*) FROM claim_files WHERE customer_id = $1",
        "SELECT COUNT(*) FROM claim_documents WHERE customer_id = $1 AND state <> 'missing'",
        "SELECT COUNT(*) FROM bookings WHERE customer_id = $1 AND state = 'booked'",
        "SELECT CAST(COALESCE(SUM(s.booked), 0) AS BIGINT) FROM slots s WHERE s.id IN (SELECT slot_id FROM bookings WHERE customer_id = $1)",
        "SELECT CAST(COALESCE(SUM(used), 0) AS BIGINT) FROM entitlement_usage WHERE customer_id = $1",
        "SELECT COUNT(*) FROM roadside_requests WHERE customer_id = $1 AND state = 'received'",
        "SELECT COUNT(*) FROM survey_responses WHERE customer_id = $1",
        "SELECT COUNT(*) FROM survey_invitations WHERE customer_id = $1 AND state <> 'sent'",
        "SELECT COUNT(*) FROM service_requests WHERE customer_id = $1",
        "SELECT COUNT(*) FROM service_requests WHERE customer_id = $1 AND state <> 'submitted'",
        "SELECT COUNT(*) FROM customers WHERE id = $1 AND (address <> '' OR email <> '')",
        "SELECT COUNT(*) FROM beneficiaries b JOIN policies p ON p.id = b.policy_id WHERE p.customer_id = $1",
        "SELECT COUNT(*) FROM customers WHERE id = $1 AND (debit_method_id IS NOT NULL OR payout_kind IS NOT NULL)",
        "SELECT COUNT(*) FROM payment_methods WHERE customer_id = $1",
        "SELECT COUNT(*) FROM policy_loans WHERE customer_id = $1",
        "SELECT COUNT(*) FROM cases WHERE customer_id = $1",
        "SELECT COUNT(*) FROM cases WHERE customer_id = $1 AND (state <> 'received' OR owner_staff_id IS NOT NULL)",
        "SELECT COUNT(*) FROM case_events WHERE customer_id = $1",
    ] {
        out.push(app.count(sql, &id).await);
    }
    out
}

/// Server functions anyone may call (signing in, links, language), and those that act
/// for the signed-in customer. A new server function missing here fails the sweep.
const PUBLIC_FNS: &[&str] = &[
    "login",
    "request_login_code",
    "resend_login_code",
    "login_with_code",
    "start_activation",
    "resend_activation_code",
    "complete_activation",
    "staff_login",
    "logout",
    "set_locale",
    "check_link",
    "send_link_code",
    "check_link_code",
    // Ends the caller's own view as a customer, if any.
    "end_view_as",
];
const CUSTOMER_FNS: &[&str] = &[
    "set_auto_debit",
    "step_up",
    "step_up_send_code",
    "step_up_with_code",
    "pay_renewal",
    "logout_everywhere",
    "save_notification_preferences",
    "withdraw_claim",
    "book_service",
    "reschedule_booking",
    "cancel_booking",
    "request_roadside",
    "set_staff_viewing",
    "answer_survey",
    "request_beneficiary_change",
    "change_contact",
    "start_phone_change",
    "confirm_phone_change",
    "change_debit_method",
    "change_payout_account",
    "request_loan",
    "withdraw_case",
    "reopen_case",
];
/// Server functions for staff, and the permission each needs.
const STAFF_FNS: &[(&str, Permission)] = &[
    ("advance_claim", Permission::ClaimsQueue),
    ("decline_claim", Permission::ClaimsQueue),
    ("set_claim_amount", Permission::ClaimsQueue),
    ("request_claim_document", Permission::ClaimsQueue),
    ("review_claim_document", Permission::ClaimsQueue),
    ("add_claim_note", Permission::ClaimsQueue),
    ("close_booking", Permission::SlotCalendars),
    ("create_slot_week", Permission::SlotCalendars),
    ("advance_roadside", Permission::SlotCalendars),
    ("start_view_as", Permission::ViewAsCustomer),
    ("create_staff", Permission::ManageStaff),
    ("disable_staff", Permission::ManageStaff),
    ("reset_staff_password", Permission::ManageStaff),
    ("create_provider", Permission::ManageProviders),
    ("update_provider", Permission::ManageProviders),
    ("deactivate_provider", Permission::ManageProviders),
    ("reactivate_provider", Permission::ManageProviders),
    ("review_service_request", Permission::ReviewServicing),
    ("approve_service_request", Permission::ReviewServicing),
    ("reject_service_request", Permission::ReviewServicing),
    ("take_case", Permission::HandleCases),
    ("move_case", Permission::HandleCases),
    ("answer_case", Permission::HandleCases),
    ("resolve_case", Permission::HandleCases),
    ("extend_case", Permission::HandleCases),
    ("hand_over_case", Permission::HandleCases),
    ("accept_case", Permission::HandleCases),
    ("link_case_document", Permission::HandleCases),
];

/// Pages: public ones, and those showing one customer's things (`{id}` is A's).
const PUBLIC_PAGES: &[&str] = &[
    "/login",
    "/login/code",
    "/activate",
    "/activate/verify",
    "/staff/login",
    "/verify",
    "/s/{code}",
];
const CUSTOMER_PAGES: &[&str] = &[
    "/",
    "/policies",
    "/policies/{id}",
    "/policies/{id}/document",
    "/policies/{id}/renew",
    "/payments/{id}",
    "/settings/notifications",
    "/claims",
    "/claims/new",
    "/claims/{id}",
    "/services",
    "/services/book",
    "/bookings",
    "/bookings/{id}",
    "/bookings/{id}/reschedule",
    "/roadside",
    "/roadside/{id}",
    "/settings/access",
    "/surveys/{id}",
    "/requests",
    "/requests/new/contact",
    "/requests/new/phone",
    "/requests/new/accounts",
    "/requests/{id}",
    "/policies/{id}/beneficiaries",
    "/policies/{id}/loan",
    "/cases",
    "/cases/new",
    "/cases/{id}",
];

#[tokio::test]
async fn every_route_and_server_function_refuses_whoever_it_is_not_for() {
    let app = spawn_app().await;
    let a = app.customer("13900000811", "甲客户", Some(PASSWORD)).await;
    let a_due = app.renewal_due(&a, 20, 300_000).await;
    let a_method = app.saved_method(&a, "tok_ok").await;
    let owner = app.browser();
    owner.login_and_step_up(&a).await;
    let payment_id = owner
        .pay_saved(&a_due, "sweep-owner-key-0001", &a_method)
        .await;
    let a_other = app.renewal_due(&a, 25, 280_000).await;
    let a_claim = claim_of(&app, &a).await;
    let a_doc: (String,) =
        sqlx::query_as("SELECT id FROM claim_documents WHERE claim_id = $1 LIMIT 1")
            .bind(&a_claim)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    let jpeg = include_bytes!("fixtures/photo.jpg").to_vec();
    let uploaded = owner
        .post_multipart(
            &format!("/claims/{a_claim}/documents/{}", a_doc.0),
            &[],
            &[("file", "a.jpg", jpeg.clone())],
        )
        .await;
    assert!(redirected(&uploaded).contains("done=uploaded"));
    let a_file: (String,) = sqlx::query_as("SELECT id FROM claim_files WHERE claim_id = $1")
        .bind(&a_claim)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    // A's appointment and roadside request, booked and asked for before the strangers come.
    let svc = app.services(2, 4).await;
    let a_policy = app.policy_of(&a.phone).await;
    let booked = redirected(
        &owner
            .book(&a_policy, &svc.checkup_kind, &svc.slots[0])
            .await,
    );
    let a_booking = booked
        .trim_start_matches("/bookings/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let asked = owner
        .post_form(
            "/api/request_roadside",
            &[
                ("policy_id", &a_policy),
                ("location", "延安高架路 外滩出口"),
                ("plate", "沪AD1234"),
                ("what_happened", "爆胎"),
                ("phone", &a.phone),
            ],
        )
        .await;
    let a_request = redirected(&asked)
        .trim_start_matches("/roadside/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let a_survey = app.survey_invitation(&a.phone, &a_claim).await.unwrap();
    let a_service_request = contact_change_of(&app, &app.customer_id(&a.phone).await).await;
    let a_case = crate::cases::case_of(&app, &app.customer_id(&a.phone).await).await;

    // The others: nobody, another customer, another customer's short-link session, staff.
    let b = app.customer("13900000812", "乙客户", Some(PASSWORD)).await;
    app.renewal_due(&b, 20, 300_000).await;
    app::backend::services::reminders::queue_renewal_reminders(&app.state)
        .await
        .unwrap();
    let b_link = app.newest_link_code(&b.phone).await;
    let anonymous = app.browser();
    let other = app.browser();
    other.login_and_step_up(&b).await;
    let link = app.browser();
    let checked = link
        .post_form(
            "/api/check_link",
            &[("code", &b_link), ("id_last4", &b.id_last4)],
        )
        .await;
    assert!(redirected(&checked).ends_with("/renew"));
    app.staff("agent.sweep", StaffRole::Admin).await;
    let staff = app.browser();
    staff.staff_login("agent.sweep", PASSWORD).await;
    let strangers = [
        ("anonymous", &anonymous),
        ("other customer", &other),
        ("link session", &link),
        ("staff", &staff),
    ];

    // Every registered server function is in one of the two lists.
    let registered: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(p, _)| p.trim_start_matches("/api/").to_owned())
        .collect();
    for f in &registered {
        assert!(
            PUBLIC_FNS.contains(&f.as_str())
                || CUSTOMER_FNS.contains(&f.as_str())
                || STAFF_FNS.iter().any(|(s, _)| s == f),
            "server function {f} is in no list: say who may call it"
        );
    }
    let mut checked = 0;

    // Acting for A: every stranger's call, with A's own ids, changes nothing of A's.
    let mut before = footprint(&app, &a).await;
    let method = format!("saved:{a_method}");
    for f in CUSTOMER_FNS {
        let form: Vec<(&str, &str)> = vec![
            ("policy_id", &a_other.policy_id),
            ("offer_id", &a_other.offer_id),
            ("version", "1"),
            ("key", "sweep-stranger-key-01"),
            ("method", &method),
            ("card_no", ""),
            ("enable", "on"),
            ("id_last4", &a.id_last4),
            ("sc", "x"),
            ("sms", "123456"),
            ("next", "/policies"),
            ("time_window", "evening"),
            ("marketing", "on"),
            ("claim_id", &a_claim),
            ("booking_id", &a_booking),
            ("request_id", &a_request),
            ("slot", &svc.slots[1]),
            ("kind", &svc.checkup_kind),
            ("location", "外滩"),
            ("plate", "沪AD1234"),
            ("what_happened", "爆胎"),
            ("phone", &a.phone),
            ("from", "received"),
            ("outcome", "no_show"),
            ("provider_id", &svc.provider),
            ("first_day", "2030-01-07"),
            ("hours", "9"),
            ("capacity", "2"),
            ("survey_id", &a_survey),
            ("score", "9"),
            ("comment", "不是本人"),
            ("case_id", &a_case),
            ("text", "不是本人写的留言"),
        ];
        for (who, browser) in &strangers {
            let res = browser.post_form(&format!("/api/{f}"), &form).await;
            assert!(res.status().as_u16() < 500, "{who} → {f}: {}", res.status());
            assert_eq!(
                footprint(&app, &a).await,
                before,
                "{who} → {f} changed A's account"
            );
            checked += 1;
        }
    }
    // Staff functions: nobody without the permission moves A's things (a member of staff
    // with it is for the staff tests).
    app.staff("agent.nocal", StaffRole::Agent).await;
    let agent = app.browser();
    agent.staff_login("agent.nocal", PASSWORD).await;
    let agent_entry = ("agent", &agent);
    for (f, permission) in STAFF_FNS {
        let agent_too = (!StaffRole::Agent.can(*permission)).then_some(&agent_entry);
        let form: Vec<(&str, &str)> = vec![
            ("booking_id", &a_booking),
            ("outcome", "no_show"),
            ("request_id", &a_request),
            ("from", "received"),
            ("provider_id", &svc.provider),
            ("first_day", "2030-01-07"),
            ("hours", "9"),
            ("capacity", "2"),
            ("claim_id", &a_claim),
            ("note", "note"),
            ("reason", "a reason given"),
            ("kind", "assessed"),
            ("amount", "100"),
            ("document_id", &a_doc.0),
            ("decision", "accept"),
            ("service_kind", &svc.checkup_kind),
            ("name", "陌生人改的名字"),
            ("city", "陌生城市"),
            ("address", "陌生人写的地址 1 号"),
            ("case_id", &a_case),
            ("to", "acknowledged"),
            ("text", "陌生人写的答复内容"),
            ("root_cause", "process"),
        ];
        for (who, browser) in strangers[..3].iter().chain(agent_too) {
            let res = browser.post_form(&format!("/api/{f}"), &form).await;
            assert!(res.status().as_u16() < 500, "{who} → {f}: {}", res.status());
            assert_eq!(
                footprint(&app, &a).await,
                before,
                "{who} → {f} changed A's account"
            );
            checked += 1;
        }
    }
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM slots WHERE provider_id = $1",
            &svc.provider
        )
        .await,
        svc.slots.len() as i64,
        "no slots made by someone without the permission"
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM providers WHERE active <> 0 AND name <> $1",
            "陌生人改的名字"
        )
        .await,
        app.count("SELECT COUNT(*) FROM providers WHERE $1 = $1", "x")
            .await,
        "no provider made, edited or deactivated by someone without the permission"
    );

    // Routes outside Leptos, from the table the router is built from.
    for route in anxin::PLAIN_ROUTES {
        for (who, browser) in strangers.iter().chain([&("owner", &owner)]) {
            let res = match route.audience {
                anxin::Audience::Anyone => browser.get(route.path).await,
                anxin::Audience::Customer => {
                    browser.get(&route.path.replace("{id}", &a_booking)).await
                }
                // The sweep's staff browser signed itself out above (a stranger's
                // `logout_everywhere`): the member of staff signs in afresh.
                anxin::Audience::Staff(_) if *who == "staff" => {
                    let fresh = app.browser();
                    fresh.staff_login("agent.sweep", PASSWORD).await;
                    fresh.get(route.path).await
                }
                anxin::Audience::Staff(_) => browser.get(route.path).await,
                // Unsigned, from a browser: refused, nothing changed.
                anxin::Audience::SignedWebhook => browser
                    .client
                    .post(format!("{}{}", browser.base, route.path))
                    .header("content-type", "application/json")
                    .body(r#"{"phone":"13900000811","text":"T"}"#)
                    .send()
                    .await
                    .unwrap(),
                // With A's ids: files only to A, uploads and reports only in one's own name.
                anxin::Audience::Caller => {
                    let path = route
                        .path
                        .replace("{claim}", &a_claim)
                        .replace("{document}", &a_doc.0)
                        .replace("{file}", &a_file.0);
                    if path.contains("/files/") {
                        let res = browser.get(&path).await;
                        if *who != "owner" && *who != "staff" {
                            let s = res.status().as_u16();
                            let to = location(res.headers());
                            assert!(
                                s == 404 || to.starts_with("/login"),
                                "{who} GET {path}: {s}"
                            );
                        }
                        res
                    } else {
                        browser
                            .post_multipart(
                                &path,
                                &[("policy_id", &a_due.policy_id)],
                                &[("file", "a.jpg", jpeg.clone())],
                            )
                            .await
                    }
                }
            };
            let status = res.status().as_u16();
            assert!(status < 500, "{who} {}: {status}", route.path);
            if route.audience == anxin::Audience::Customer {
                let to = location(res.headers());
                let ok = if *who == "owner" {
                    status == 200
                } else {
                    status == 404 || (status == 303 || status == 302) && to.starts_with("/login")
                };
                assert!(ok, "{who} {}: {status} {to}", route.path);
            }
            if let anxin::Audience::Staff(permission) = route.audience {
                let to = location(res.headers());
                // The sweep's member of staff is an admin: every permission.
                let ok = if *who == "staff" {
                    assert!(StaffRole::Admin.can(permission));
                    status == 200
                } else {
                    status == 302 && to.starts_with("/staff/login")
                };
                assert!(ok, "{who} {}: {status} {to}", route.path);
            }
            if route.audience == anxin::Audience::SignedWebhook {
                assert_eq!(
                    status, 400,
                    "{who} {}: an unsigned call is refused",
                    route.path
                );
            }
            // The owner's own upload (to a document already sent) adds a file; nobody else's does.
            if *who == "owner" {
                before = footprint(&app, &a).await;
            } else {
                assert_eq!(
                    footprint(&app, &a).await,
                    before,
                    "{who} {} changed A's account",
                    route.path
                );
            }
            checked += 1;
        }
    }

    // Every page is in one of the two lists.
    let pages: Vec<String> = leptos_axum::generate_route_list(app::App)
        .iter()
        .map(|r| r.path().replace(":id", "{id}").replace(":code", "{code}"))
        .collect();
    for p in &pages {
        assert!(
            PUBLIC_PAGES.contains(&p.as_str())
                || CUSTOMER_PAGES.contains(&p.as_str())
                || STAFF_PAGES.iter().any(|(s, _)| s == p),
            "page {p} is in no list: say who may see it"
        );
    }
    let fill = |p: &str| {
        if p == "/services/book" {
            return format!("{p}?policy={a_policy}&kind={}", svc.checkup_kind);
        }
        let id = if p.starts_with("/payments") {
            &payment_id
        } else if p.starts_with("/claims") {
            &a_claim
        } else if p.starts_with("/bookings") {
            &a_booking
        } else if p.starts_with("/roadside") {
            &a_request
        } else if p.starts_with("/surveys") {
            &a_survey
        } else if p.starts_with("/requests") {
            &a_service_request
        } else if p.starts_with("/cases") {
            &a_case
        } else {
            &a_due.policy_id
        };
        p.replace("{id}", id).replace("{code}", &b_link)
    };
    for p in PUBLIC_PAGES {
        for (who, browser) in strangers.iter().chain([&("owner", &owner)]) {
            let res = browser.get(&fill(p)).await;
            assert!(
                res.status().as_u16() < 500,
                "{who} GET {p}: {}",
                res.status()
            );
            checked += 1;
        }
    }
    for p in CUSTOMER_PAGES {
        let path = fill(p);
        let mine = owner.get(&path).await;
        assert_eq!(mine.status(), 200, "owner GET {path}");
        for (who, browser) in &strangers {
            let res = browser.get(&path).await;
            let status = res.status().as_u16();
            let to = location(res.headers());
            let body = res.text().await.unwrap();
            assert!(
                status == 404
                    || (status == 302 && to.starts_with("/login"))
                    || (status == 200 && !p.contains('{')),
                "{who} GET {path}: {status} {to}"
            );
            assert!(
                !body.contains("甲客户") && !body.contains(&a.policy_no[a.policy_no.len() - 4..]),
                "{who} GET {path} shows A's data"
            );
            checked += 1;
        }
    }
    // Public ones never break, whoever calls them with nonsense (last: one of them is logout).
    for f in PUBLIC_FNS {
        for (who, browser) in strangers.iter().chain([&("owner", &owner)]) {
            let res = browser
                .post_form(
                    &format!("/api/{f}"),
                    &[("phone", "x"), ("code", "x"), ("c", "x")],
                )
                .await;
            assert!(res.status().as_u16() < 500, "{who} → {f}: {}", res.status());
            checked += 1;
        }
    }

    println!("access sweep: {checked} (route, caller) pairs checked");
}

/// A phone that passed the light check of a short link for `c`, of this purpose.
async fn link_session(
    app: &TestApp,
    c: &Customer,
    purpose: app::backend::domain::links::Purpose,
    target: &str,
) -> Browser {
    let customer_id = app.customer_id(&c.phone).await;
    let now = app.clock.now();
    let mut conn = app.state.db.pool.acquire().await.unwrap();
    let code = app::backend::services::short_links::create(
        &mut conn,
        &customer_id,
        purpose,
        target,
        now,
        now + 86_400,
    )
    .await
    .unwrap();
    let phone = app.browser();
    let landed = redirected(
        &phone
            .post_form(
                "/api/check_link",
                &[("code", &code), ("id_last4", &c.id_last4)],
            )
            .await,
    );
    assert!(!landed.starts_with("/s/"), "the check passed: {landed}");
    phone
}

async fn roadside_requests(app: &TestApp, policy: &str) -> i64 {
    app.count(
        "SELECT COUNT(*) FROM roadside_requests WHERE policy_id = $1",
        policy,
    )
    .await
}

async fn ask_roadside(phone: &Browser, policy: &str) -> String {
    redirected(
        &phone
            .post_form(
                "/api/request_roadside",
                &[
                    ("policy_id", policy),
                    ("location", "上海市徐汇区漕溪北路 100 号附近"),
                    ("plate", "沪A D1234"),
                    ("what_happened", "电瓶没电，无法启动"),
                    ("phone", "13900002399"),
                ],
            )
            .await,
    )
}

#[tokio::test]
async fn a_booking_link_books_for_its_own_customer_and_policy_and_nothing_else() {
    use app::backend::domain::links::Purpose;
    let app = spawn_app().await;
    let s = app.services(2, 3).await;
    let a = app.customer("13900002301", "钱多多", Some(PASSWORD)).await;
    let b = app.customer("13900002302", "孙悟", Some(PASSWORD)).await;
    let (pa, pb) = (app.policy_of(&a.phone).await, app.policy_of(&b.phone).await);
    let a_claim = claim_of(&app, &a).await;
    let b_claim = claim_of(&app, &b).await;
    let phone = link_session(&app, &a, Purpose::Booking, &pa).await;

    // Not B's policy: not its booking page, not a booking.
    let page = phone
        .get(&format!(
            "/services/book?policy={pb}&kind={}",
            s.checkup_kind
        ))
        .await;
    assert_eq!(page.status(), 404);
    phone.book(&pb, &s.checkup_kind, &s.slots[0]).await;
    assert_eq!(app.uses(&pb).await, 0);
    assert_eq!(app.slot_booked(&s.slots[0]).await, 0);
    // Not a claim (neither A's nor B's), not the policies, not a renewal, not roadside help.
    for path in [
        format!("/claims/{a_claim}"),
        format!("/claims/{b_claim}"),
        "/claims".to_owned(),
        "/policies".to_owned(),
        format!("/policies/{pa}/renew"),
        format!("/roadside?policy={pa}"),
        "/bookings".to_owned(),
    ] {
        let res = phone.get(&path).await;
        assert_ne!(res.status(), 200, "{path}");
    }
    assert!(ask_roadside(&phone, &pa).await.starts_with("/login"));
    assert_eq!(roadside_requests(&app, &pa).await, 0);
    // Its own: booked, and the appointment shown.
    let booked = redirected(&phone.book(&pa, &s.checkup_kind, &s.slots[1]).await);
    assert!(booked.contains("done=booked"), "{booked}");
    assert_eq!(phone.get(&booked).await.status(), 200);
    assert_eq!(app.uses(&pa).await, 1);
    // B's appointments stay B's.
    let b_browser = app.browser();
    b_browser.login(&b.phone, PASSWORD).await;
    let theirs = redirected(&b_browser.book(&pb, &s.checkup_kind, &s.slots[2]).await);
    assert!(theirs.contains("done=booked"), "{theirs}");
    let theirs = theirs.split('?').next().unwrap().to_owned();
    assert_eq!(phone.get(&theirs).await.status(), 404);
}

#[tokio::test]
async fn a_roadside_link_asks_for_help_under_its_own_policy_only_and_books_nothing() {
    use app::backend::domain::links::Purpose;
    let app = spawn_app().await;
    let s = app.services(2, 3).await;
    let a = app.customer("13900002303", "周通", Some(PASSWORD)).await;
    let b = app.customer("13900002304", "吴用", Some(PASSWORD)).await;
    let (pa, pb) = (app.policy_of(&a.phone).await, app.policy_of(&b.phone).await);
    let phone = link_session(&app, &a, Purpose::Roadside, &pa).await;
    // Not B's policy …
    ask_roadside(&phone, &pb).await;
    assert_eq!(roadside_requests(&app, &pb).await, 0);
    // … not a booking, not the booking page.
    assert!(redirected(&phone.book(&pa, &s.checkup_kind, &s.slots[0]).await).starts_with("/login"));
    assert_eq!(app.uses(&pa).await, 0);
    assert_ne!(
        phone
            .get(&format!(
                "/services/book?policy={pa}&kind={}",
                s.checkup_kind
            ))
            .await
            .status(),
        200
    );
    // Its own policy: help is on the way, and its status page opens.
    let asked = ask_roadside(&phone, &pa).await;
    assert!(asked.contains("done=received"), "{asked}");
    assert_eq!(phone.get(&asked).await.status(), 200);
    assert_eq!(roadside_requests(&app, &pa).await, 1);
    // A claim link does neither.
    let claim = claim_of(&app, &a).await;
    let by_claim = link_session(&app, &a, Purpose::Claim, &claim).await;
    by_claim.book(&pa, &s.checkup_kind, &s.slots[0]).await;
    ask_roadside(&by_claim, &pa).await;
    assert_eq!(app.uses(&pa).await, 0);
    assert_eq!(roadside_requests(&app, &pa).await, 1);
}
