//! Service booking and roadside help, through HTTP like a browser without JavaScript.

use crate::helpers::*;
use app::model::StaffRole;
use reqwest::StatusCode;

async fn signed_in(app: &TestApp, phone: &str, name: &str) -> (Browser, String) {
    app.customer(phone, name, Some(PASSWORD)).await;
    let b = app.browser();
    assert_eq!(redirected(&b.login(phone, PASSWORD).await), "/");
    let policy = app.policy_of(phone).await;
    (b, policy)
}

fn booking_id(location: &str) -> String {
    location
        .trim_start_matches("/bookings/")
        .split('?')
        .next()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn book_reschedule_cancel_and_the_check_up_comes_back() {
    let app = spawn_app().await;
    let s = app.services(2, 4).await;
    let (b, policy) = signed_in(&app, "13900001801", "林晓燕").await;

    let services = b.page("/services").await;
    assert!(services.contains("健康体检"), "the entitlement is listed");
    assert!(services.contains("data-testid=\"book-link\""));

    // The steps are links and a GET form: provider, day, slot, then confirm.
    let step = format!("/services/book?policy={policy}&kind={}", s.checkup_kind);
    assert!(b.page(&step).await.contains("安心体检中心（测试）"));
    let confirm = b
        .page(&format!(
            "{step}&provider={}&day={}&slot={}",
            s.provider,
            app.clock.today_shanghai() + chrono::Days::new(1),
            s.slots[0]
        ))
        .await;
    assert!(
        confirm.contains("data-testid=\"confirm-form\""),
        "confirm step shown"
    );

    let to = redirected(&b.book(&policy, &s.checkup_kind, &s.slots[0]).await);
    assert!(to.ends_with("?done=booked"), "{to}");
    let id = booking_id(&to);
    assert_eq!(app.slot_booked(&s.slots[0]).await, 1);
    assert_eq!(app.uses(&policy).await, 1);
    let page = b.page(&to).await;
    assert!(page.contains("安心体检中心（测试）") && page.contains("预约成功"));
    assert!(
        b.page("/services").await.contains("<strong>1</strong>"),
        "one left"
    );

    // The calendar file.
    let ics = b.get(&format!("/bookings/{id}/calendar.ics")).await;
    assert_eq!(ics.status(), StatusCode::OK);
    assert!(ics.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/calendar"));
    let text = ics.text().await.unwrap();
    assert!(text.starts_with("BEGIN:VCALENDAR\r\n") && text.contains("DTSTART:"));

    // Reschedule: the new place taken, the old one given back, the use still one.
    let res = b
        .post_form(
            "/api/reschedule_booking",
            &[("booking_id", &id), ("slot", &s.slots[5])],
        )
        .await;
    assert!(redirected(&res).ends_with("?done=rescheduled"));
    assert_eq!(app.slot_booked(&s.slots[0]).await, 0);
    assert_eq!(app.slot_booked(&s.slots[5]).await, 1);
    assert_eq!(app.uses(&policy).await, 1);
    // The same slot again is told so.
    let res = b
        .post_form(
            "/api/reschedule_booking",
            &[("booking_id", &id), ("slot", &s.slots[5])],
        )
        .await;
    assert!(redirected(&res).contains("error=same_slot"));

    // Cancel: the place and the use come back; a second cancel changes nothing.
    let res = b
        .post_form("/api/cancel_booking", &[("booking_id", &id)])
        .await;
    assert!(redirected(&res).ends_with("?done=cancelled"));
    assert_eq!(app.slot_booked(&s.slots[5]).await, 0);
    assert_eq!(app.uses(&policy).await, 0);
    let res = b
        .post_form("/api/cancel_booking", &[("booking_id", &id)])
        .await;
    assert!(redirected(&res).contains("error=booking_closed"));
    assert_eq!(app.uses(&policy).await, 0);
    assert!(b.page(&format!("/bookings/{id}")).await.contains("已取消"));
    assert!(b.page("/bookings").await.contains("已取消"));
    // Booked, moved, cancelled: three notices, each a service notice.
    let customer = app.customer_id("13900001801").await;
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM sms_outbox WHERE customer_id = $1 AND category = 'service_notice'",
            &customer
        )
        .await,
        3
    );
}

#[tokio::test]
async fn the_cutoff_is_two_hours_before() {
    let app = spawn_app().await;
    let s = app.services(2, 4).await;
    let (b, policy) = signed_in(&app, "13900001802", "王伟").await;
    let id = booking_id(&redirected(
        &b.book(&policy, &s.checkup_kind, &s.slots[0]).await,
    ));
    // Move the clock to 1 h 30 before the appointment.
    let starts = app
        .count("SELECT starts_at FROM slots WHERE id = $1", &s.slots[0])
        .await;
    app.clock.advance(starts - app.clock.now() - 90 * 60);
    // Sessions do not last that long idle: sign in again.
    b.login("13900001802", PASSWORD).await;
    let res = b
        .post_form("/api/cancel_booking", &[("booking_id", &id)])
        .await;
    assert!(redirected(&res).contains("error=booking_cutoff"));
    let page = b
        .page(&format!("/bookings/{id}?error=booking_cutoff"))
        .await;
    assert!(page.contains("2 小时内") && page.contains("95500"));
    assert_eq!(app.uses(&policy).await, 1, "nothing given back");
}

#[tokio::test]
async fn fifty_people_ask_for_the_last_place_and_exactly_one_gets_it() {
    let app = spawn_app().await;
    let s = app.services(2, 1).await;
    let mut people = vec![];
    for i in 0..50 {
        people.push(signed_in(&app, &format!("139000019{i:02}"), "客户").await);
    }
    let last = &s.slots[0];
    let answers = futures::future::join_all(
        people
            .iter()
            .map(|(b, policy)| b.book(policy, &s.checkup_kind, last)),
    )
    .await;
    let places: Vec<String> = answers.iter().map(redirected).collect();
    let won = places
        .iter()
        .filter(|l| l.ends_with("?done=booked"))
        .count();
    let told = places
        .iter()
        .filter(|l| l.contains("error=slot_full"))
        .count();
    assert_eq!((won, told), (1, 49), "{places:?}");
    assert_eq!(app.slot_booked(last).await, 1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM bookings WHERE slot_id = $1", last)
            .await,
        1
    );
    // Nobody who lost spent a use.
    let spent = app
        .count(
            "SELECT CAST(COALESCE(SUM(used), 0) AS BIGINT) FROM entitlement_usage WHERE service_kind_id = $1",
            &s.checkup_kind,
        )
        .await;
    assert_eq!(spent, 1);
    // Those told are shown the next free slots, plainly.
    let loser = places
        .iter()
        .position(|l| l.contains("error=slot_full"))
        .unwrap();
    let page = people[loser].0.page(&places[loser]).await;
    assert!(page.contains("刚刚被约满"), "told plainly");
    assert!(page.contains(&s.slots[1]), "offered the next free slot");
}

#[tokio::test]
async fn the_last_use_raced_across_two_slots_is_spent_once() {
    let app = spawn_app().await;
    let s = app.services(1, 5).await;
    let (b, policy) = signed_in(&app, "13900001803", "周杰").await;
    // The same person in five tabs (five sessions), on two different slots.
    let mut tabs = vec![b];
    for _ in 0..4 {
        let t = app.browser();
        t.login("13900001803", PASSWORD).await;
        tabs.push(t);
    }
    let answers = futures::future::join_all(
        tabs.iter()
            .enumerate()
            .map(|(i, t)| t.book(&policy, &s.checkup_kind, &s.slots[i % 2])),
    )
    .await;
    let places: Vec<String> = answers.iter().map(redirected).collect();
    // One booking; the taps on its slot are shown it (a double tap), those on the other
    // slot are told the year's check-up is used.
    let booked: std::collections::BTreeSet<String> = places
        .iter()
        .filter(|l| l.ends_with("?done=booked"))
        .map(|l| booking_id(l))
        .collect();
    assert_eq!(booked.len(), 1, "{places:?}");
    let used_up = places
        .iter()
        .filter(|l| l.contains("error=no_uses_left"))
        .count();
    assert!(used_up >= 2, "{places:?}");
    assert_eq!(
        used_up
            + places
                .iter()
                .filter(|l| l.ends_with("?done=booked"))
                .count(),
        5
    );
    assert_eq!(app.uses(&policy).await, 1);
    assert_eq!(
        app.slot_booked(&s.slots[0]).await + app.slot_booked(&s.slots[1]).await,
        1
    );
}

#[tokio::test]
async fn roadside_help_is_received_dispatched_arrives_and_completes() {
    let app = spawn_app().await;
    app.services(2, 4).await;
    let (b, policy) = signed_in(&app, "13900001804", "孙丽").await;
    let page = b.page("/roadside").await;
    assert!(page.contains("95500"), "the hotline is always on the page");
    let res = b
        .post_form(
            "/api/request_roadside",
            &[
                ("policy_id", &policy),
                ("location", "延安高架路 外滩出口前 200 米"),
                ("plate", "沪A D1234"),
                ("what_happened", "左前轮爆胎"),
                ("phone", "139 0000 1804"),
            ],
        )
        .await;
    let to = redirected(&res);
    assert!(
        to.starts_with("/roadside/") && to.ends_with("?done=received"),
        "{to}"
    );
    let id = to
        .trim_start_matches("/roadside/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let page = b.page(&to).await;
    assert!(page.contains("RA") && page.contains("95500") && page.contains("已受理"));
    assert!(page.contains("沪A·D1234"), "the plate as stored");
    assert!(app
        .last_sms("13900001804")
        .await
        .unwrap()
        .contains("道路救援"));

    // A supervisor moves it along; a second press on a stale page moves nothing.
    app.staff("super.road", StaffRole::Supervisor).await;
    let staff = app.browser();
    staff.staff_login("super.road", PASSWORD).await;
    assert!(staff.page("/staff/roadside").await.contains("沪A·D1234"));
    for (from, to) in [
        ("received", "dispatched"),
        ("dispatched", "arrived"),
        ("arrived", "completed"),
    ] {
        let res = staff
            .post_form(
                "/api/advance_roadside",
                &[("request_id", &id), ("from", from)],
            )
            .await;
        assert!(redirected(&res).ends_with(&format!("?done={to}")));
        let again = staff
            .post_form(
                "/api/advance_roadside",
                &[("request_id", &id), ("from", from)],
            )
            .await;
        assert!(redirected(&again).contains("error=moved_on"));
    }
    assert!(b.page(&format!("/roadside/{id}")).await.contains("已完成"));
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM sms_outbox WHERE category = 'service_notice' AND phone = $1",
            "13900001804"
        )
        .await,
        4,
        "one text per step"
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM sms_outbox WHERE category = 'survey' AND phone = $1",
            "13900001804"
        )
        .await,
        1,
        "and, once completed, the survey"
    );

    // An agent has no dispatch rights.
    app.staff("agent.road", StaffRole::Agent).await;
    let agent = app.browser();
    agent.staff_login("agent.road", PASSWORD).await;
    assert_eq!(agent.get("/staff/roadside").await.status(), 404);
}

#[tokio::test]
async fn a_supervisor_makes_a_week_of_slots_and_closes_appointments() {
    let app = spawn_app().await;
    let s = app.services(2, 4).await;
    app.staff("super.cal", StaffRole::Supervisor).await;
    let staff = app.browser();
    staff.staff_login("super.cal", PASSWORD).await;
    assert!(staff.page("/staff/services").await.contains("week-form"));
    // The Monday of the week after next: next Monday can be the day after tomorrow,
    // where the fixture's slots already are (on a Saturday, 2 of the 12 were taken).
    let monday = {
        use chrono::Datelike;
        let t = app.clock.today_shanghai();
        t + chrono::Days::new(u64::from(14 - t.weekday().num_days_from_monday()))
    };
    let form = [
        ("provider_id", s.provider.as_str()),
        ("first_day", &monday.to_string()),
        ("hours", "9, 14"),
        ("capacity", "3"),
    ];
    let res = staff.post_form("/api/create_slot_week", &form).await;
    assert!(
        redirected(&res).contains("added=12"),
        "6 days × 2 hours: {}",
        redirected(&res)
    );
    let res = staff.post_form("/api/create_slot_week", &form).await;
    assert!(
        redirected(&res).contains("added=0"),
        "twice is still one week"
    );
    let res = staff
        .post_form(
            "/api/create_slot_week",
            &[
                ("provider_id", s.provider.as_str()),
                ("first_day", "soon"),
                ("hours", "9,99"),
                ("capacity", "x"),
            ],
        )
        .await;
    assert!(redirected(&res).contains("error=bad_hours"));

    // An appointment that has started is marked completed, once.
    let (b, policy) = signed_in(&app, "13900001805", "李强").await;
    let id = booking_id(&redirected(
        &b.book(&policy, &s.checkup_kind, &s.slots[0]).await,
    ));
    let early = staff
        .post_form(
            "/api/close_booking",
            &[("booking_id", &id), ("outcome", "completed")],
        )
        .await;
    assert!(
        redirected(&early).contains("error=moved_on"),
        "not before it starts"
    );
    let starts = app
        .count("SELECT starts_at FROM slots WHERE id = $1", &s.slots[0])
        .await;
    app.clock.advance(starts - app.clock.now() + 60);
    staff.staff_login("super.cal", PASSWORD).await;
    let res = staff
        .post_form(
            "/api/close_booking",
            &[("booking_id", &id), ("outcome", "no_show")],
        )
        .await;
    assert!(redirected(&res).ends_with("?done=no_show"));
    let again = staff
        .post_form(
            "/api/close_booking",
            &[("booking_id", &id), ("outcome", "completed")],
        )
        .await;
    assert!(redirected(&again).contains("error=moved_on"));
    assert_eq!(
        app.uses(&policy).await,
        1,
        "a missed appointment keeps its use"
    );
}

#[tokio::test]
async fn another_customers_booking_and_request_are_not_found() {
    let app = spawn_app().await;
    let s = app.services(2, 4).await;
    let (a, policy) = signed_in(&app, "13900001806", "甲客户").await;
    let id = booking_id(&redirected(
        &a.book(&policy, &s.checkup_kind, &s.slots[0]).await,
    ));
    let (other, other_policy) = signed_in(&app, "13900001807", "乙客户").await;
    for path in [
        format!("/bookings/{id}"),
        format!("/bookings/{id}/reschedule"),
        format!("/bookings/{id}/calendar.ics"),
        format!("/services/book?policy={policy}&kind={}", s.checkup_kind),
    ] {
        let res = other.get(&path).await;
        assert_eq!(res.status(), 404, "{path}");
        assert!(!res.text().await.unwrap().contains("甲客户"));
    }
    // Acting on A's booking changes nothing of it.
    other
        .post_form("/api/cancel_booking", &[("booking_id", &id)])
        .await;
    other
        .post_form(
            "/api/reschedule_booking",
            &[("booking_id", &id), ("slot", &s.slots[3])],
        )
        .await;
    // Booking with A's policy is refused too.
    let res = other.book(&policy, &s.checkup_kind, &s.slots[1]).await;
    assert!(redirected(&res).contains("error=not_entitled"));
    assert_eq!(app.slot_booked(&s.slots[0]).await, 1);
    assert_eq!(app.slot_booked(&s.slots[1]).await, 0);
    assert_eq!(app.slot_booked(&s.slots[3]).await, 0);
    assert_eq!(app.uses(&policy).await, 1);
    assert_eq!(app.uses(&other_policy).await, 0);
    // Nobody signed in: the login page.
    assert!(redirected(
        &app.browser()
            .get(&format!("/bookings/{id}/calendar.ics"))
            .await
    )
    .starts_with("/login"));
}

#[tokio::test]
async fn a_booking_posted_from_another_site_is_refused() {
    let app = spawn_app().await;
    let s = app.services(2, 4).await;
    let (b, policy) = signed_in(&app, "13900001808", "陈静").await;
    let res = b
        .post_from_elsewhere(
            "/api/book_service",
            &[
                ("policy_id", policy.as_str()),
                ("kind", &s.checkup_kind),
                ("slot", &s.slots[0]),
            ],
        )
        .await;
    assert_eq!(res.status(), 403);
    assert_eq!(app.slot_booked(&s.slots[0]).await, 0);
}

#[tokio::test]
async fn garbage_missing_and_huge_fields_get_a_clear_answer_never_a_500() {
    let app = spawn_app().await;
    let s = app.services(2, 4).await;
    let (b, policy) = signed_in(&app, "13900001809", "张敏").await;
    // No slot chosen, or one that does not exist.
    for form in [
        vec![
            ("policy_id", policy.as_str()),
            ("kind", s.checkup_kind.as_str()),
        ],
        vec![
            ("policy_id", policy.as_str()),
            ("kind", s.checkup_kind.as_str()),
            ("slot", "'; DROP TABLE slots; --"),
        ],
    ] {
        let res = b.post_form("/api/book_service", &form).await;
        let to = redirected(&res);
        assert!(to.contains("error=pick_slot"), "{to}");
        assert!(b.page(&to).await.contains("请选择一个时段"));
    }
    // A field missing altogether.
    let res = b
        .client
        .post(format!("{}/api/request_roadside", b.base))
        .header("accept", "text/html")
        .header("referer", format!("{}/roadside", b.base))
        .form(&[("policy_id", policy.as_str())])
        .send()
        .await
        .unwrap();
    let to = redirected(&res);
    assert!(to.contains("error=missing_field"), "{to}");
    assert!(b.page(&to).await.contains("95500"));
    // Each roadside field checked, the first wrong one named.
    let huge = "长".repeat(300);
    for (location, plate, what, phone, code) in [
        ("", "沪AD1234", "爆胎", "13900001809", "bad_location"),
        (
            huge.as_str(),
            "沪AD1234",
            "爆胎",
            "13900001809",
            "bad_location",
        ),
        ("外滩", "<script>", "爆胎", "13900001809", "bad_plate"),
        ("外滩", "沪AD1234", " ", "13900001809", "bad_what_happened"),
        ("外滩", "沪AD1234", "爆胎", "12345", "invalid_phone"),
    ] {
        let res = b
            .post_form(
                "/api/request_roadside",
                &[
                    ("policy_id", policy.as_str()),
                    ("location", location),
                    ("plate", plate),
                    ("what_happened", what),
                    ("phone", phone),
                ],
            )
            .await;
        let to = redirected(&res);
        assert!(to.contains(&format!("error={code}")), "{code}: {to}");
        let page = b.page(&to).await;
        assert!(
            page.contains("form-error") && page.contains("95500"),
            "{code}"
        );
    }
    // A body far over the form limit.
    let big = "x".repeat(200_000);
    let res = b
        .post_form(
            "/api/request_roadside",
            &[("policy_id", policy.as_str()), ("location", &big)],
        )
        .await;
    assert_eq!(res.status(), 413);
    // Garbage in the booking flow's query is a 404, never a 500.
    assert_eq!(
        b.get("/services/book?policy=%00&kind=%ff").await.status(),
        404
    );
    assert_eq!(
        b.get(&format!(
            "/services/book?policy={policy}&kind={}&provider=x&day=2026-99-99",
            s.checkup_kind
        ))
        .await
        .status(),
        200
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM roadside_requests WHERE policy_id = $1",
            &policy
        )
        .await,
        0
    );
}

#[tokio::test]
async fn staff_viewing_as_the_customer_cannot_book_or_call_for_help() {
    let app = spawn_app().await;
    let s = app.services(2, 4).await;
    let (customer, policy) = signed_in(&app, "13900001810", "王芳").await;
    let id = booking_id(&redirected(
        &customer.book(&policy, &s.checkup_kind, &s.slots[0]).await,
    ));
    app.staff("agent.book", StaffRole::Agent).await;
    let staff = app.browser();
    staff.staff_login("agent.book", PASSWORD).await;
    let customer_id = app.customer_id("13900001810").await;
    crate::access::view_as(&staff, &customer_id).await;

    // They see what the customer sees…
    assert!(staff.page("/services").await.contains("健康体检"));
    assert!(staff
        .page(&format!("/bookings/{id}"))
        .await
        .contains("安心体检中心"));
    // …and can change none of it.
    let writes: Vec<(&str, Vec<(&str, &str)>)> = vec![
        (
            "/api/book_service",
            vec![
                ("policy_id", &policy),
                ("kind", &s.checkup_kind),
                ("slot", &s.slots[1]),
            ],
        ),
        (
            "/api/reschedule_booking",
            vec![("booking_id", &id), ("slot", &s.slots[2])],
        ),
        ("/api/cancel_booking", vec![("booking_id", &id)]),
        (
            "/api/request_roadside",
            vec![
                ("policy_id", &policy),
                ("location", "外滩"),
                ("plate", "沪AD1234"),
                ("what_happened", "爆胎"),
                ("phone", "13900001810"),
            ],
        ),
    ];
    for (path, form) in writes {
        crate::access::assert_read_only(staff.post_form(path, &form).await, path).await;
    }
    assert_eq!(app.slot_booked(&s.slots[0]).await, 1);
    assert_eq!(app.slot_booked(&s.slots[1]).await, 0);
    assert_eq!(app.slot_booked(&s.slots[2]).await, 0);
    assert_eq!(app.uses(&policy).await, 1);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM roadside_requests WHERE customer_id = $1",
            &customer_id
        )
        .await,
        0
    );
}

#[tokio::test]
async fn an_appointment_tomorrow_gets_one_reminder() {
    use app::backend::services::bookings::queue_appointment_reminders;
    let app = spawn_app().await;
    let s = app.services(2, 4).await;
    let (b, policy) = signed_in(&app, "13900001811", "赵磊").await;
    // slots[0..4] are tomorrow, slots[4..] the day after.
    let id = booking_id(&redirected(
        &b.book(&policy, &s.checkup_kind, &s.slots[0]).await,
    ));
    let (first, again) = futures::future::join(
        queue_appointment_reminders(&app.state),
        queue_appointment_reminders(&app.state),
    )
    .await;
    assert_eq!(
        first.unwrap() + again.unwrap(),
        1,
        "two instances, one reminder"
    );
    assert_eq!(queue_appointment_reminders(&app.state).await.unwrap(), 0);
    // Moved to the day after: not tomorrow any more, so no reminder today.
    b.post_form(
        "/api/reschedule_booking",
        &[("booking_id", &id), ("slot", &s.slots[4])],
    )
    .await;
    assert_eq!(queue_appointment_reminders(&app.state).await.unwrap(), 0);
    let customer = app.customer_id("13900001811").await;
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM sms_outbox WHERE customer_id = $1 AND body LIKE '%温馨提醒%'",
            &customer
        )
        .await,
        1
    );
}

#[tokio::test]
async fn a_double_tap_on_confirm_books_once() {
    let app = spawn_app().await;
    // One use, one place: the second tap must still find the booking, not "used up".
    let s = app.services(1, 1).await;
    let (b, policy) = signed_in(&app, "13900001812", "吴磊").await;
    let (one, two) = futures::future::join(
        b.book(&policy, &s.checkup_kind, &s.slots[0]),
        b.book(&policy, &s.checkup_kind, &s.slots[0]),
    )
    .await;
    assert_eq!(booking_id(&redirected(&one)), booking_id(&redirected(&two)));
    assert_eq!(app.slot_booked(&s.slots[0]).await, 1);
    assert_eq!(app.uses(&policy).await, 1);
    let again = b.book(&policy, &s.checkup_kind, &s.slots[0]).await;
    assert_eq!(
        booking_id(&redirected(&again)),
        booking_id(&redirected(&one))
    );
    assert_eq!(app.uses(&policy).await, 1);
}
