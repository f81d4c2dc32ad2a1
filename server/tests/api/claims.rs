//! Claims, end to end over HTTP: reported from a phone with photos, followed on its
//! timeline (also from the SMS link), moved along by claims staff to paid — and every way
//! in which that must not go wrong: another customer's claim or file, bad files, illegal
//! moves, two handlers at once, staff viewing as the customer.

use crate::helpers::*;
use app::model::StaffRole;

const JPEG: &[u8] = include_bytes!("fixtures/photo.jpg");
const PNG: &[u8] = include_bytes!("fixtures/scan.png");
const PDF: &[u8] = include_bytes!("fixtures/estimate.pdf");

/// The fixture photo as a phone camera writes it: with an EXIF block holding a GPS position.
pub(crate) fn photo_with_location() -> Vec<u8> {
    // TIFF, big-endian: IFD0 with one entry (GPSInfo → offset 26), then the GPS IFD with
    // GPSLatitudeRef = "N".
    let mut tiff = b"MM\0\x2a\0\0\0\x08".to_vec();
    tiff.extend_from_slice(&[0, 1, 0x88, 0x25, 0, 4, 0, 0, 0, 1, 0, 0, 0, 26, 0, 0, 0, 0]);
    tiff.extend_from_slice(&[0, 1, 0, 1, 0, 2, 0, 0, 0, 2, b'N', 0, 0, 0, 0, 0, 0, 0]);
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(tiff);
    let len = (app1.len() + 2) as u16;
    let mut out = JPEG[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend(app1);
    out.extend_from_slice(&JPEG[2..]);
    out
}

/// The report form as a phone sends it, with `files` for the line's documents.
async fn report(
    b: &Browser,
    policy_id: &str,
    amount: &str,
    files: &[(&str, &str, Vec<u8>)],
) -> reqwest::Response {
    b.post_multipart(
        "/claims/report",
        &[
            ("policy_id", policy_id),
            ("incident_date", &today()),
            ("place", "上海市徐汇区漕溪北路"),
            ("description", "停车时被后车追尾，后保险杠受损"),
            ("amount", amount),
            ("payout", "bank"),
            ("bank", "招商银行"),
            ("account_no", "6225 8802 1234 5678"),
        ],
        files,
    )
    .await
}

fn today() -> String {
    app::backend::clock::shanghai_date(chrono::Utc::now().timestamp())
        .format("%Y-%m-%d")
        .to_string()
}

async fn policy_id(app: &TestApp, c: &Customer) -> String {
    let (id,): (String,) = sqlx::query_as("SELECT id FROM policies WHERE policy_no = $1")
        .bind(&c.policy_no)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    id
}

/// The claim id from the redirect after reporting.
fn claim_id_of(location: &str) -> String {
    location
        .trim_start_matches("/claims/")
        .split('?')
        .next()
        .unwrap()
        .to_owned()
}

async fn document_id(app: &TestApp, claim_id: &str, kind: &str) -> String {
    let (id,): (String,) =
        sqlx::query_as("SELECT id FROM claim_documents WHERE claim_id = $1 AND kind = $2")
            .bind(claim_id)
            .bind(kind)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    id
}

async fn stage(app: &TestApp, claim_id: &str) -> String {
    let (s,): (String,) = sqlx::query_as("SELECT stage FROM claims WHERE id = $1")
        .bind(claim_id)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    s
}

async fn signed_in(app: &TestApp, phone: &str, name: &str) -> (Customer, Browser, String) {
    let c = app.customer(phone, name, Some(PASSWORD)).await;
    let b = app.browser();
    b.login(&c.phone, PASSWORD).await;
    let p = policy_id(app, &c).await;
    (c, b, p)
}

async fn handler(app: &TestApp, username: &str) -> Browser {
    app.staff(username, StaffRole::Claims).await;
    let b = app.browser();
    assert_eq!(
        redirected(&b.staff_login(username, PASSWORD).await),
        "/staff"
    );
    b
}

async fn staff_post(b: &Browser, f: &str, form: &[(&str, &str)]) -> String {
    redirected(&b.post_form(&format!("/api/{f}"), form).await)
}

#[tokio::test]
async fn a_claim_reported_from_the_phone_goes_to_paid_and_the_customer_hears_of_each_step() {
    let app = spawn_app().await;
    let staff = handler(&app, "claims.t1").await;
    let (c, b, policy) = signed_in(&app, "13900001001", "陈明").await;
    assert!(b.page("/claims/new").await.contains("驾驶证"));

    let res = report(
        &b,
        &policy,
        "8600",
        &[("doc_driving_licence", "IMG_0001.JPG", photo_with_location())],
    )
    .await;
    let to = redirected(&res);
    assert!(to.ends_with("?done=reported"), "{to}");
    let claim = claim_id_of(&to);
    let page = b.page(&to).await;
    let year = &today()[..4];
    let (no,): (String,) = sqlx::query_as("SELECT claim_no FROM claims WHERE id = $1")
        .bind(&claim)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert!(
        no.starts_with(&format!("CL{year}")) && no.len() == 12,
        "{no}"
    );
    assert!(page.contains(&no));
    assert!(
        page.contains("等待您补充材料"),
        "what is missing comes first"
    );
    assert!(page.contains("招商银行 ****5678"), "payout masked");
    assert!(!page.contains("6225880212345678"));
    assert!(
        page.contains("同类案件太少"),
        "no history: says so, no made-up date"
    );
    let sms = app.last_sms(&c.phone).await.unwrap();
    assert!(sms.contains(&no) && sms.contains("/s/"), "{sms}");

    // The file is served back to its owner, typed by its content.
    let (file_id, kind): (String, String) =
        sqlx::query_as("SELECT id, kind FROM claim_files WHERE claim_id = $1")
            .bind(&claim)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!(kind, "jpeg");
    let got = b.get(&format!("/claims/{claim}/files/{file_id}")).await;
    assert_eq!(got.status(), 200);
    assert_eq!(got.headers()["content-type"], "image/jpeg");
    let stored = got.bytes().await.unwrap();
    assert!(stored.starts_with(&[0xFF, 0xD8]) && stored.ends_with(&[0xFF, 0xD9]));
    assert!(
        !stored.windows(4).any(|w| w == b"Exif"),
        "the photo's location data is gone"
    );

    // The rest of the checklist, from the page's upload forms.
    for (kind, name, bytes) in [
        ("vehicle_licence", "scan.png", PNG),
        ("repair_estimate", "estimate.pdf", PDF),
        ("accident_certificate", "cert.jpg", JPEG),
    ] {
        let doc = document_id(&app, &claim, kind).await;
        let res = b
            .post_multipart(
                &format!("/claims/{claim}/documents/{doc}"),
                &[],
                &[("file", name, bytes.to_vec())],
            )
            .await;
        assert!(redirected(&res).contains("done=uploaded"), "{kind}");
    }

    // Staff: the queue shows it; accept every document; move it along.
    assert!(staff.page("/staff/claims").await.contains(&no));
    for kind in [
        "driving_licence",
        "vehicle_licence",
        "repair_estimate",
        "accident_certificate",
    ] {
        let doc = document_id(&app, &claim, kind).await;
        let to = staff_post(
            &staff,
            "review_claim_document",
            &[
                ("claim_id", &claim),
                ("document_id", &doc),
                ("decision", "accept"),
            ],
        )
        .await;
        assert!(to.contains("done=accepted"), "{to}");
    }
    // Over ¥5,000: surveyed, not fast-tracked.
    for (from, to) in [("reported", "survey"), ("survey", "assessment")] {
        let r = staff_post(
            &staff,
            "advance_claim",
            &[("claim_id", &claim), ("from", from), ("note", "")],
        )
        .await;
        assert!(r.contains(&format!("done=moved_{to}")), "{r}");
    }
    // Approval needs the assessed amount.
    let r = staff_post(
        &staff,
        "advance_claim",
        &[("claim_id", &claim), ("from", "assessment"), ("note", "")],
    )
    .await;
    assert!(r.contains("error=claim_amount_missing"), "{r}");
    staff_post(
        &staff,
        "set_claim_amount",
        &[
            ("claim_id", &claim),
            ("kind", "assessed"),
            ("amount", "8,200"),
        ],
    )
    .await;
    staff_post(
        &staff,
        "advance_claim",
        &[("claim_id", &claim), ("from", "assessment"), ("note", "")],
    )
    .await;
    staff_post(
        &staff,
        "set_claim_amount",
        &[
            ("claim_id", &claim),
            ("kind", "approved"),
            ("amount", "8000"),
        ],
    )
    .await;
    let r = staff_post(
        &staff,
        "advance_claim",
        &[
            ("claim_id", &claim),
            ("from", "approval"),
            ("note", "已转账"),
        ],
    )
    .await;
    assert!(r.contains("done=moved_paid"), "{r}");
    assert_eq!(stage(&app, &claim).await, "paid");

    // A second payout is refused whatever the caller tries.
    let r = staff_post(
        &staff,
        "advance_claim",
        &[("claim_id", &claim), ("from", "approval"), ("note", "")],
    )
    .await;
    assert!(r.contains("error=claim_moved"), "{r}");
    let r = staff_post(
        &staff,
        "advance_claim",
        &[("claim_id", &claim), ("from", "paid"), ("note", "")],
    )
    .await;
    assert!(r.contains("error=claim_illegal"), "{r}");
    let (paid,): (i64,) = sqlx::query_as("SELECT amount_paid_fen FROM claims WHERE id = $1")
        .bind(&claim)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(paid, 800_000);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM claim_events WHERE claim_id = $1 AND kind = 'stage' AND to_stage = 'paid'",
            &claim
        )
        .await,
        1
    );

    // The customer's timeline, drawn from the events: every stage with its dates.
    let page = b.page(&format!("/claims/{claim}")).await;
    assert!(page.contains("¥8,000.00"), "paid amount shown");
    for s in ["reported", "survey", "assessment", "approval", "paid"] {
        assert!(page.contains(&format!("step-{s}")), "{s}");
    }
    // One SMS per step the customer should hear of: reported, survey, assessment,
    // assessed, approval, approved, paid.
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM sms_outbox WHERE category = 'claim_progress' AND phone = $1",
            &c.phone
        )
        .await,
        7
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM sms_outbox WHERE phone = $1 AND body LIKE '%已赔付 ¥8,000.00%'",
            &c.phone
        )
        .await,
        1
    );
    assert!(b.page("/claims").await.contains(&no));
}

#[tokio::test]
async fn two_handlers_advancing_one_claim_at_once_make_one_event() {
    let app = spawn_app().await;
    let s1 = handler(&app, "claims.a").await;
    let s2 = handler(&app, "claims.b").await;
    let (_, b, policy) = signed_in(&app, "13900001002", "李娜").await;
    let claim = claim_id_of(&redirected(&report(&b, &policy, "9000", &[]).await));
    let form = [
        ("claim_id", claim.as_str()),
        ("from", "reported"),
        ("note", ""),
    ];
    let calls = (0..10).map(|i| {
        let who = if i % 2 == 0 { &s1 } else { &s2 };
        who.post_form("/api/advance_claim", &form)
    });
    let results = futures::future::join_all(calls).await;
    let moved = results
        .iter()
        .filter(|r| location(r.headers()).contains("done=moved_survey"))
        .count();
    assert_eq!(moved, 1, "exactly one handler moved it");
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM claim_events WHERE claim_id = $1 AND kind = 'stage' AND to_stage = 'survey'",
            &claim
        )
        .await,
        1
    );
}

#[tokio::test]
async fn a_small_claim_with_every_document_accepted_skips_the_survey_and_says_why() {
    let app = spawn_app().await;
    let staff = handler(&app, "claims.ft").await;
    let (_, b, policy) = signed_in(&app, "13900001003", "张伟").await;
    let files = vec![
        ("doc_driving_licence", "a.jpg", JPEG.to_vec()),
        ("doc_vehicle_licence", "b.png", PNG.to_vec()),
        ("doc_repair_estimate", "c.pdf", PDF.to_vec()),
        ("doc_accident_certificate", "d.jpg", JPEG.to_vec()),
    ];
    let claim = claim_id_of(&redirected(&report(&b, &policy, "1200", &files).await));
    let page = b.page(&format!("/claims/{claim}")).await;
    assert!(page.contains("还有 4 份必需材料未审核通过"), "why not yet");
    for kind in [
        "driving_licence",
        "vehicle_licence",
        "repair_estimate",
        "accident_certificate",
    ] {
        let doc = document_id(&app, &claim, kind).await;
        staff_post(
            &staff,
            "review_claim_document",
            &[
                ("claim_id", &claim),
                ("document_id", &doc),
                ("decision", "accept"),
            ],
        )
        .await;
    }
    assert!(b
        .page(&format!("/claims/{claim}"))
        .await
        .contains("小额快赔：金额不超过 ¥5,000.00"));
    let r = staff_post(
        &staff,
        "advance_claim",
        &[("claim_id", &claim), ("from", "reported"), ("note", "")],
    )
    .await;
    assert!(r.contains("done=moved_assessment"), "{r}");
    assert!(b
        .page(&format!("/claims/{claim}"))
        .await
        .contains("小额快赔，免查勘"));
}

#[tokio::test]
async fn another_customers_claim_document_or_file_is_not_found() {
    let app = spawn_app().await;
    let (_, a, a_policy) = signed_in(&app, "13900001004", "王芳").await;
    let claim = claim_id_of(&redirected(
        &report(
            &a,
            &a_policy,
            "",
            &[("doc_driving_licence", "x.jpg", JPEG.to_vec())],
        )
        .await,
    ));
    let (file,): (String,) = sqlx::query_as("SELECT id FROM claim_files WHERE claim_id = $1")
        .bind(&claim)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    let doc = document_id(&app, &claim, "vehicle_licence").await;
    let (_, other, _) = signed_in(&app, "13900001005", "赵强").await;
    assert_eq!(other.get(&format!("/claims/{claim}")).await.status(), 404);
    assert_eq!(
        other
            .get(&format!("/claims/{claim}/files/{file}"))
            .await
            .status(),
        404
    );
    let res = other
        .post_multipart(
            &format!("/claims/{claim}/documents/{doc}"),
            &[],
            &[("file", "y.jpg", JPEG.to_vec())],
        )
        .await;
    // Sent to the claim's page, which is a 404 for them; nothing stored.
    assert_eq!(other.get(&redirected(&res)).await.status(), 404);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM claim_files WHERE claim_id = $1",
            &claim
        )
        .await,
        1
    );
    let res = other
        .post_form("/api/withdraw_claim", &[("claim_id", &claim)])
        .await;
    assert_eq!(other.get(&redirected(&res)).await.status(), 404);
    assert_eq!(stage(&app, &claim).await, "reported");
    // Nobody signed in: to the sign-in page.
    let anon = app.browser();
    assert!(redirected(&anon.get(&format!("/claims/{claim}")).await).starts_with("/login"));
    assert!(
        redirected(&anon.get(&format!("/claims/{claim}/files/{file}")).await).starts_with("/login")
    );
    // A guessed id is simply not found.
    assert_eq!(a.get("/claims/NoSuchClaimAtAll000000").await.status(), 404);
    assert_eq!(
        a.get(&format!("/claims/{claim}/files/NoSuchFile"))
            .await
            .status(),
        404
    );
}

#[tokio::test]
async fn bad_files_get_a_clear_message_and_change_nothing() {
    let app = spawn_app().await;
    let (_, b, policy) = signed_in(&app, "13900001006", "刘洋").await;
    let mut elf = b"\x7fELF\x02\x01\x01\0".to_vec();
    elf.extend(std::iter::repeat_n(0u8, 4096));
    let mut heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic".to_vec();
    heic.extend(std::iter::repeat_n(0u8, 512));
    let big = {
        let mut v = JPEG.to_vec();
        v.truncate(v.len() - 2);
        v.resize(11 * 1024 * 1024, 0);
        v.extend_from_slice(&[0xFF, 0xD9]);
        v
    };
    let truncated_pdf = PDF[..PDF.len() / 2].to_vec();
    for (name, bytes, code) in [
        ("photo.jpg", elf, "file_type"),
        ("IMG_0002.HEIC", heic, "file_heic"),
        ("big.jpg", big, "file_too_large"),
        ("estimate.pdf", truncated_pdf, "file_damaged"),
    ] {
        let res = report(&b, &policy, "", &[("doc_driving_licence", name, bytes)]).await;
        let to = redirected(&res);
        assert!(to.contains(&format!("error={code}")), "{name}: {to}");
        assert!(b.page(&to).await.contains("form-error"));
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM claims WHERE policy_id = $1", &policy)
            .await,
        0
    );

    // A PNG named .pdf is a PNG: the content decides.
    let claim = claim_id_of(&redirected(
        &report(
            &b,
            &policy,
            "",
            &[("doc_driving_licence", "licence.pdf", PNG.to_vec())],
        )
        .await,
    ));
    let (kind,): (String,) = sqlx::query_as("SELECT kind FROM claim_files WHERE claim_id = $1")
        .bind(&claim)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(kind, "png");
    // An upload with no file at all.
    let doc = document_id(&app, &claim, "vehicle_licence").await;
    let res = b
        .post_multipart(
            &format!("/claims/{claim}/documents/{doc}"),
            &[],
            &[("file", "", vec![])],
        )
        .await;
    assert!(redirected(&res).contains("error=file_empty"));
}

#[tokio::test]
async fn bad_report_fields_get_a_message_in_the_persons_language() {
    let app = spawn_app().await;
    let (_, b, policy) = signed_in(&app, "13900001007", "孙丽").await;
    let long = "很".repeat(3000);
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (vec![("incident_date", "2099-01-01")], "claim_date"),
        (vec![("incident_date", "yesterday")], "claim_date"),
        (vec![("place", "")], "claim_place"),
        (vec![("description", long.as_str())], "claim_description"),
        (vec![("amount", "-5")], "claim_amount"),
        (vec![("amount", "1e9")], "claim_amount"),
        (vec![("account_no", "123")], "payout_account"),
        (vec![("payout", "")], "payout_account"),
        (vec![("payout", "someone-elses-method")], "payout_account"),
        (vec![("policy_id", "NotMyPolicy")], "claim_policy"),
    ];
    let today = today();
    for (changes, code) in cases {
        let mut form: Vec<(&str, &str)> = vec![
            ("policy_id", policy.as_str()),
            ("incident_date", today.as_str()),
            ("place", "上海"),
            ("description", "车门被刮"),
            ("amount", ""),
            ("payout", "bank"),
            ("bank", "招商银行"),
            ("account_no", "6225880212345678"),
        ];
        for (k, v) in &changes {
            form.retain(|(f, _)| f != k);
            form.push((k, v));
        }
        let res = b.post_multipart("/claims/report", &form, &[]).await;
        let to = redirected(&res);
        assert!(to.contains(&format!("error={code}")), "{changes:?}: {to}");
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM claims WHERE policy_id = $1", &policy)
            .await,
        0
    );
    // Not multipart at all, or from another site.
    let res = b
        .post_form("/claims/report", &[("policy_id", &policy)])
        .await;
    assert!(
        res.status().as_u16() < 500 && res.status().as_u16() >= 400,
        "{}",
        res.status()
    );
    let res = b
        .client
        .post(format!("{}/claims/report", b.base))
        .header("origin", "https://evil.example")
        .multipart(reqwest::multipart::Form::new().text("policy_id", policy.clone()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // English when the person reads English.
    b.post_form("/api/set_locale", &[("lang", "en"), ("next", "/claims")])
        .await;
    let en = b
        .page(&format!("/claims/new?policy={policy}&error=file_heic"))
        .await;
    assert!(
        en.contains("HEIC photos are not accepted"),
        "English message"
    );
}

#[tokio::test]
async fn the_customer_withdraws_before_approval_and_not_after() {
    let app = spawn_app().await;
    let staff = handler(&app, "claims.w").await;
    let (_, b, policy) = signed_in(&app, "13900001008", "周杰").await;
    let first = claim_id_of(&redirected(&report(&b, &policy, "", &[]).await));
    let r = redirected(
        &b.post_form("/api/withdraw_claim", &[("claim_id", &first)])
            .await,
    );
    assert!(r.contains("done=withdrawn"), "{r}");
    assert_eq!(stage(&app, &first).await, "withdrawn");

    let second = claim_id_of(&redirected(&report(&b, &policy, "9000", &[]).await));
    for from in ["reported", "survey"] {
        staff_post(
            &staff,
            "advance_claim",
            &[("claim_id", &second), ("from", from), ("note", "")],
        )
        .await;
    }
    staff_post(
        &staff,
        "set_claim_amount",
        &[
            ("claim_id", &second),
            ("kind", "assessed"),
            ("amount", "9000"),
        ],
    )
    .await;
    staff_post(
        &staff,
        "advance_claim",
        &[("claim_id", &second), ("from", "assessment"), ("note", "")],
    )
    .await;
    let r = redirected(
        &b.post_form("/api/withdraw_claim", &[("claim_id", &second)])
            .await,
    );
    assert!(r.contains("error=claim_illegal"), "{r}");
    assert_eq!(stage(&app, &second).await, "approval");
}

#[tokio::test]
async fn the_sms_link_lands_on_that_claim_and_may_upload_but_nothing_else() {
    let app = spawn_app().await;
    let (c, b, policy) = signed_in(&app, "13900001009", "郭静").await;
    let claim = claim_id_of(&redirected(&report(&b, &policy, "", &[]).await));
    let other_claim = claim_id_of(&redirected(&report(&b, &policy, "", &[]).await));
    // The newest link is the second claim's; take the first claim's from its SMS.
    let (code,): (String,) =
        sqlx::query_as("SELECT code FROM short_links WHERE target_id = $1 AND purpose = 'claim'")
            .bind(&claim)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    let phone = app.browser();
    assert_eq!(phone.get(&format!("/s/{code}")).await.status(), 200);
    let landed = redirected(
        &phone
            .post_form(
                "/api/check_link",
                &[("code", &code), ("id_last4", &c.id_last4)],
            )
            .await,
    );
    assert_eq!(landed, format!("/claims/{claim}"));
    assert!(phone.page(&landed).await.contains("等待您补充材料"));
    let doc = document_id(&app, &claim, "driving_licence").await;
    let res = phone
        .post_multipart(
            &format!("/claims/{claim}/documents/{doc}"),
            &[],
            &[("file", "licence.jpg", JPEG.to_vec())],
        )
        .await;
    assert!(redirected(&res).contains("done=uploaded"));
    // Nothing else: not the other claim, not the list, not withdrawing, not paying.
    assert_eq!(
        phone.get(&format!("/claims/{other_claim}")).await.status(),
        404
    );
    assert!(redirected(&phone.get("/claims").await).starts_with("/login"));
    assert!(redirected(&phone.get("/policies").await).starts_with("/login"));
    phone
        .post_form("/api/withdraw_claim", &[("claim_id", &claim)])
        .await;
    assert_eq!(stage(&app, &claim).await, "reported");
}
