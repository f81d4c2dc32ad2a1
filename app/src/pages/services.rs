//! Services: entitlements (`/services`), booking an appointment step by step
//! (`/services/book`), appointments (`/bookings…`), roadside help (`/roadside…`) and the
//! supervisors' calendars and roadside queue (`/staff/services`, `/staff/roadside`).
//! Every step is a link or a plain form: it all works before (and without) any wasm.

use crate::api::account::Viewer;
use crate::api::auth::urlsafe;
use crate::api::ctx;
use crate::api::services::{
    self as api, booking_path, clean_day, ics_path, reschedule_path, roadside_path,
    AdvanceRoadside, BookService, BookStep, CancelBooking, CloseBooking, CreateSlotWeek,
    RequestRoadside, RescheduleBooking, BOOK, BOOKINGS, ROADSIDE, SERVICES,
};
use crate::backend::clock::{shanghai_date, shanghai_datetime};
use crate::backend::domain::booking::{ServiceMode, HOTLINE};
use crate::backend::store::bookings::{BookingRow, EntitlementRow, SlotRow};
use crate::backend::store::roadside::RoadsideRow;
use crate::components::{
    aria_invalid, autofocus, described_by, error_from_query, policy_no_for, ErrorNotice, Layout,
};
use crate::i18n::{date, datetime, locale, t, t_with, Locale};
use crate::model::{BookingState, RoadsideState};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::policies::page_error;
use super::route_param as param;

fn zh() -> bool {
    locale() == Locale::ZhCn
}

fn kind_name(zh_name: &str, en_name: &str) -> String {
    if zh() {
        zh_name.to_owned()
    } else {
        en_name.to_owned()
    }
}

fn query(name: &str) -> Option<String> {
    use_query_map()
        .get_untracked()
        .get(name)
        .map(|v| urlsafe(&v))
        .filter(|v| !v.is_empty())
}

/// `HH:MM–HH:MM` of a slot in Asia/Shanghai.
fn hours(starts_at: i64, ends_at: i64) -> String {
    format!(
        "{}–{}",
        &shanghai_datetime(starts_at)[11..],
        &shanghai_datetime(ends_at)[11..]
    )
}

/// A "done" message named in the query (`?done=booked`), from a fixed list.
fn done_notice(prefix: &str, allowed: &[&str]) -> Option<impl IntoView> {
    let done = use_query_map().get_untracked().get("done")?;
    allowed.contains(&done.as_str()).then(|| {
        view! { <p class="alert alert-info" role="status" data-testid="done">{t(&format!("{prefix}.done.{done}"))}</p> }
    })
}

/// The roadside hotline: on every roadside page, whatever else fails.
#[component]
fn Hotline() -> impl IntoView {
    view! {
        <p class="hotline" data-testid="hotline">
            {t("roadside.hotline")} " "
            <a href=format!("tel:{HOTLINE}") class="hotline-no">{HOTLINE}</a>
            " " <span class="muted small">{t("roadside.hotline_hours")}</span>
        </p>
    }
}

/// Links between the service pages.
#[component]
fn ServiceNav() -> impl IntoView {
    view! {
        <nav class="service-nav" aria-label=t("services.nav_label")>
            <a href=SERVICES>{t("services.title")}</a>
            <a href=BOOKINGS>{t("services.bookings_title")}</a>
            <a href=ROADSIDE>{t("roadside.title")}</a>
        </nav>
    }
}

/// `/services`: per policy, what it grants, what is used and left, and until when.
#[component]
pub fn ServicesPage() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                match api::entitlements().await {
                    Err(e) => page_error(e),
                    Ok(rows) => {
                        let error = error_from_query();
                        let mut groups: Vec<(String, Vec<EntitlementRow>)> = Vec::new();
                        for r in rows {
                            match groups.iter_mut().find(|(p, _)| *p == r.policy_id) {
                                Some((_, v)) => v.push(r),
                                None => groups.push((r.policy_id.clone(), vec![r])),
                            }
                        }
                        let empty = groups.is_empty().then(|| view! { <p class="card">{t("services.none")}</p> });
                        let cards = groups.into_iter().map(|(_, rows)| {
                            let first = rows[0].clone();
                            let lines = rows.into_iter().map(|e| {
                                let name = kind_name(&e.kind_zh, &e.kind_en);
                                let left = e.left();
                                let action = match ServiceMode::of(&e.kind_code) {
                                    ServiceMode::Roadside => view! {
                                        <a class="btn btn-quiet" href=format!("{ROADSIDE}?policy={}", e.policy_id)>{t("services.request_help")}</a>
                                    }.into_any(),
                                    ServiceMode::Appointment if left > 0 => {
                                        let href = BookStep { policy: e.policy_id.clone(), kind: e.service_kind_id.clone(), ..Default::default() }.url();
                                        view! { <a class="btn btn-primary" href=href data-testid="book-link">{t("services.book")}</a> }.into_any()
                                    }
                                    ServiceMode::Appointment => view! { <span class="muted">{t("services.all_used")}</span> }.into_any(),
                                };
                                view! {
                                    <tr data-testid="entitlement">
                                        <th scope="row">{name}</th>
                                        <td class="num">{e.allowed}</td>
                                        <td class="num">{e.used}</td>
                                        <td class="num" data-testid="left"><strong>{left}</strong></td>
                                        <td>{date(&e.year_end)}</td>
                                        <td>{action}</td>
                                    </tr>
                                }
                            }).collect_view();
                            view! {
                                <section class="card">
                                    <h2>{kind_name(&first.product_zh, &first.product_en)}</h2>
                                    <p class="policy-no mono">{policy_no_for(&first.policy_no, false)}</p>
                                    <div class="table-wrap">
                                        <table class="entitlements">
                                            <thead><tr>
                                                <th scope="col">{t("services.service")}</th>
                                                <th scope="col" class="num">{t("services.entitled")}</th>
                                                <th scope="col" class="num">{t("services.used")}</th>
                                                <th scope="col" class="num">{t("services.left")}</th>
                                                <th scope="col">{t("services.until")}</th>
                                                <th scope="col"><span class="sr-only">{t("services.action")}</span></th>
                                            </tr></thead>
                                            <tbody>{lines}</tbody>
                                        </table>
                                    </div>
                                </section>
                            }
                        }).collect_view();
                        view! {
                            <Title text=t("services.title")/>
                            <Layout viewer=Viewer::Customer>
                                <h1>{t("services.title")}</h1>
                                <ServiceNav/>
                                <p class="muted">{t("services.intro")}</p>
                                <ErrorNotice error/>
                                {empty}
                                {cards}
                            </Layout>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// Days at a provider as links (with the places left), the chosen one marked.
fn day_links(
    days: &[(String, i64)],
    chosen: Option<&str>,
    href: impl Fn(&str) -> String,
) -> AnyView {
    if days.is_empty() {
        return view! { <p class="muted">{t("services.no_days")}</p> }.into_any();
    }
    let items = days
        .iter()
        .map(|(d, left)| {
            let label = date(d);
            let current = (chosen == Some(d.as_str())).then_some("true");
            if *left > 0 {
                view! {
                    <li><a class="day" href=href(d) aria-current=current data-testid="day">
                        <span>{label}</span>
                        <span class="small muted">{t_with("services.places_left", &[("n", &left.to_string())])}</span>
                    </a></li>
                }
                .into_any()
            } else {
                view! { <li><span class="day day-full">{label} <span class="small">{t("services.full")}</span></span></li> }.into_any()
            }
        })
        .collect_view();
    view! { <ul class="day-list">{items}</ul> }.into_any()
}

/// One radio per slot; full ones shown, not choosable.
fn slot_radios(
    slots: &[SlotRow],
    chosen: Option<&str>,
    error: &Option<crate::components::FormError>,
) -> AnyView {
    if slots.is_empty() {
        return view! { <p class="muted">{t("services.no_slots")}</p> }.into_any();
    }
    let items = slots
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let left = s.left();
            let id = if i == 0 { "slot".to_owned() } else { format!("slot-{i}") };
            let label = hours(s.starts_at, s.ends_at);
            let places = if left > 0 {
                t_with("services.places_left", &[("n", &left.to_string())])
            } else {
                t("services.full")
            };
            view! {
                <label class="method slot" class:slot-full=left == 0>
                    <input type="radio" name="slot" id=id.clone() value=s.id.clone() required
                        disabled=left == 0 checked=chosen == Some(s.id.as_str())
                        aria-invalid=aria_invalid(error, "slot") autofocus=i == 0 && autofocus(error, "slot")
                        aria-describedby=described_by(error, "slot", None)/>
                    <span><strong>{label}</strong> " " <span class="small muted">{places}</span></span>
                </label>
            }
        })
        .collect_view();
    view! { <fieldset class="slots"><legend>{t("services.pick_slot")}</legend>{items}</fieldset> }
        .into_any()
}

/// `/services/book`: pick a provider, a day, a slot; confirm.
#[component]
pub fn BookPage() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                let step = BookStep {
                    policy: query("policy").unwrap_or_default(),
                    kind: query("kind").unwrap_or_default(),
                    provider: query("provider"),
                    day: use_query_map().get_untracked().get("day").and_then(|d| clean_day(&d)),
                    slot: query("slot"),
                };
                match api::book_view(&step).await {
                    Err(e) => page_error(e),
                    Ok(v) => {
                        // The service may have been left for the page to choose.
                        let step = BookStep { kind: v.entitlement.service_kind_id.clone(), ..step };
                        let error = error_from_query();
                        let e = v.entitlement.clone();
                        let name = kind_name(&e.kind_zh, &e.kind_en);
                        let providers = v.providers.iter().map(|p| {
                            let href = BookStep { provider: Some(p.id.clone()), day: None, slot: None, ..step.clone() }.url();
                            let current = (v.provider.as_ref().map(|x| &x.id) == Some(&p.id)).then_some("true");
                            view! {
                                <li><a class="provider" href=href aria-current=current data-testid="provider">
                                    <strong>{p.name.clone()}</strong>
                                    <span class="small muted">{format!("{} · {}", p.city, p.address)}</span>
                                </a></li>
                            }
                        }).collect_view();
                        let days = v.provider.as_ref().map(|_| {
                            let s = step.clone();
                            view! {
                                <section class="card" aria-labelledby="step-day">
                                    <h2 id="step-day">{t("services.step_day")}</h2>
                                    {day_links(&v.days, step.day.as_deref(), |d| BookStep { day: Some(d.to_owned()), slot: None, ..s.clone() }.url())}
                                </section>
                            }
                        });
                        let slots = match (&v.provider, &step.day) {
                            (Some(p), Some(d)) => Some(view! {
                                <section class="card" aria-labelledby="step-slot">
                                    <h2 id="step-slot">{t("services.step_slot")}</h2>
                                    <form method="get" action=BOOK class="form" data-testid="slot-form">
                                        <input type="hidden" name="policy" value=step.policy.clone()/>
                                        <input type="hidden" name="kind" value=step.kind.clone()/>
                                        <input type="hidden" name="provider" value=p.id.clone()/>
                                        <input type="hidden" name="day" value=d.clone()/>
                                        {slot_radios(&v.slots, step.slot.as_deref(), &error)}
                                        {v.slots.iter().any(|s| s.left() > 0).then(|| view! {
                                            <button type="submit" class="btn btn-quiet">{t("services.next")}</button>
                                        })}
                                    </form>
                                </section>
                            }),
                            _ => None,
                        };
                        let confirm = v.slot.as_ref().filter(|s| s.left() > 0).map(|s| view! {
                            <section class="card confirm" aria-labelledby="step-confirm">
                                <h2 id="step-confirm">{t("services.step_confirm")}</h2>
                                <dl class="facts">
                                    <dt>{t("services.service")}</dt><dd>{name.clone()}</dd>
                                    <dt>{t("services.provider")}</dt><dd>{s.provider_name.clone()}</dd>
                                    <dt>{t("services.address")}</dt><dd>{format!("{} · {}", s.city, s.address)}</dd>
                                    <dt>{t("services.time")}</dt><dd data-testid="confirm-time">{format!("{} {}", date(&shanghai_date(s.starts_at).to_string()), hours(s.starts_at, s.ends_at))}</dd>
                                </dl>
                                <p class="muted">{t_with("services.uses_one", &[("left", &(e.left() - 1).max(0).to_string())])}</p>
                                <form method="post" action=BookService::PATH class="form" data-testid="confirm-form">
                                    <input type="hidden" name="policy_id" value=step.policy.clone()/>
                                    <input type="hidden" name="kind" value=step.kind.clone()/>
                                    <input type="hidden" name="slot" value=s.id.clone()/>
                                    <button type="submit" class="btn btn-primary btn-block">{t("services.confirm")}</button>
                                </form>
                            </section>
                        });
                        view! {
                            <Title text=t_with("services.book_title", &[("service", &name)])/>
                            <Layout viewer=Viewer::Customer>
                                <p><a href=SERVICES>{t("services.back")}</a></p>
                                <h1>{t_with("services.book_title", &[("service", &name)])}</h1>
                                <p class="muted" data-testid="book-left">{t_with("services.left_until", &[("left", &e.left().to_string()), ("until", &date(&e.year_end))])}</p>
                                <ErrorNotice error=error.clone()/>
                                <section class="card" aria-labelledby="step-provider">
                                    <h2 id="step-provider">{t("services.step_provider")}</h2>
                                    <ul class="provider-list">{providers}</ul>
                                </section>
                                {days}
                                {slots}
                                {confirm}
                            </Layout>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

fn booking_badge(s: BookingState) -> &'static str {
    match s {
        BookingState::Booked => "badge badge-active",
        BookingState::Completed => "badge",
        BookingState::Cancelled | BookingState::NoShow => "badge badge-lapsed",
    }
}

fn roadside_badge(s: RoadsideState) -> &'static str {
    match s {
        RoadsideState::Completed => "badge",
        _ => "badge badge-due",
    }
}

fn booking_line(b: &BookingRow) -> impl IntoView {
    view! {
        <li data-testid="booking">
            <a href=booking_path(&b.id)><strong>{kind_name(&b.kind_zh, &b.kind_en)}</strong></a>
            " · " {b.provider_name.clone()}
            <br/>
            <span>{datetime(b.starts_at)}</span> " "
            <span class=booking_badge(b.state)>{t(&format!("services.state.{}", b.state))}</span>
        </li>
    }
}

/// `/bookings`: appointments to come, past ones, and roadside requests.
#[component]
pub fn BookingsPage() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                match api::bookings().await {
                    Err(e) => page_error(e),
                    Ok((bookings, requests)) => {
                        let (upcoming, past): (Vec<_>, Vec<_>) = bookings.into_iter().partition(|(b, _)| b.state == BookingState::Booked);
                        let upcoming_view = if upcoming.is_empty() {
                            view! { <p class="muted">{t("services.no_upcoming")}</p> }.into_any()
                        } else {
                            view! { <ul class="plain">{upcoming.iter().map(|(b, _)| booking_line(b)).collect_view()}</ul> }.into_any()
                        };
                        let past_view = (!past.is_empty()).then(|| view! {
                            <section class="card">
                                <h2>{t("services.past")}</h2>
                                <ul class="plain">{past.iter().rev().map(|(b, _)| booking_line(b)).collect_view()}</ul>
                            </section>
                        });
                        let requests_view = (!requests.is_empty()).then(|| {
                            let items = requests.iter().map(|r| view! {
                                <li data-testid="roadside-request">
                                    <a href=roadside_path(&r.id) class="mono">{r.request_no.clone()}</a>
                                    " · " {datetime(r.created_at)} " "
                                    <span class=roadside_badge(r.state)>{t(&format!("roadside.state.{}", r.state))}</span>
                                </li>
                            }).collect_view();
                            view! { <section class="card"><h2>{t("roadside.requests")}</h2><ul class="plain">{items}</ul></section> }
                        });
                        view! {
                            <Title text=t("services.bookings_title")/>
                            <Layout viewer=Viewer::Customer>
                                <h1>{t("services.bookings_title")}</h1>
                                <ServiceNav/>
                                <section class="card">
                                    <h2>{t("services.upcoming")}</h2>
                                    {upcoming_view}
                                    <p><a href=SERVICES>{t("services.book_another")}</a></p>
                                </section>
                                {requests_view}
                                {past_view}
                            </Layout>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// `/bookings/:id`: one appointment, with reschedule, cancel and the calendar file.
#[component]
pub fn BookingPage() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                let id = param("id");
                match api::booking(&id).await {
                    Err(e) => page_error(e),
                    Ok((b, open)) => {
                        let error = error_from_query();
                        let done = done_notice("services", &["booked", "rescheduled", "cancelled"]);
                        let name = kind_name(&b.kind_zh, &b.kind_en);
                        let survey = crate::api::surveys::survey_about(crate::model::SurveySubject::Booking, &b.id).await;
                        let actions = if open {
                            view! {
                                <div class="alt-actions">
                                    <a class="btn btn-quiet" href=reschedule_path(&b.id) data-testid="reschedule-link">{t("services.reschedule")}</a>
                                    <form method="post" action=CancelBooking::PATH class="inline-form">
                                        <input type="hidden" name="booking_id" value=b.id.clone()/>
                                        <button type="submit" class="btn btn-quiet" data-testid="cancel">{t("services.cancel")}</button>
                                    </form>
                                </div>
                                <p class="muted small">{t("services.cutoff_note")}</p>
                            }.into_any()
                        } else if b.state == BookingState::Booked {
                            view! { <p class="muted">{t_with("services.too_late_note", &[("hotline", HOTLINE)])}</p> }.into_any()
                        } else {
                            ().into_any()
                        };
                        view! {
                            <Title text=name.clone()/>
                            <Layout viewer=Viewer::Customer>
                                <p><a href=BOOKINGS>{t("services.back_to_bookings")}</a></p>
                                {done}
                                <ErrorNotice error/>
                                <super::surveys::SurveyNotice survey/>
                                <section class="card" data-testid="booking-detail">
                                    <h1>{name}</h1>
                                    <p><span class=booking_badge(b.state) data-testid="booking-state">{t(&format!("services.state.{}", b.state))}</span></p>
                                    <dl class="facts">
                                        <dt>{t("services.time")}</dt><dd data-testid="booking-time">{format!("{} {}", date(&shanghai_date(b.starts_at).to_string()), hours(b.starts_at, b.ends_at))}</dd>
                                        <dt>{t("services.provider")}</dt><dd>{b.provider_name.clone()}</dd>
                                        <dt>{t("services.address")}</dt><dd>{format!("{} · {}", b.city, b.address)}</dd>
                                    </dl>
                                    {(b.state == BookingState::Booked).then(|| view! {
                                        <p><a href=ics_path(&b.id) download="anxin-booking.ics" data-testid="ics">{t("services.add_to_calendar")}</a></p>
                                    })}
                                    {actions}
                                </section>
                            </Layout>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// `/bookings/:id/reschedule`: another day and slot at the same provider.
#[component]
pub fn ReschedulePage() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                let id = param("id");
                let day = use_query_map().get_untracked().get("day").and_then(|d| clean_day(&d));
                match api::reschedule_view(&id, day.as_deref()).await {
                    Err(e) => page_error(e),
                    Ok((b, open, days, slots)) => {
                        let error = error_from_query();
                        let name = kind_name(&b.kind_zh, &b.kind_en);
                        let body = if !open {
                            view! { <p class="alert alert-info">{t_with("services.too_late_note", &[("hotline", HOTLINE)])}</p> }.into_any()
                        } else {
                            let bid = b.id.clone();
                            let slots_form = day.as_ref().map(|_| view! {
                                <section class="card">
                                    <h2>{t("services.step_slot")}</h2>
                                    <form method="post" action=RescheduleBooking::PATH class="form" data-testid="reschedule-form">
                                        <input type="hidden" name="booking_id" value=b.id.clone()/>
                                        {slot_radios(&slots, None, &error)}
                                        {slots.iter().any(|s| s.left() > 0).then(|| view! {
                                            <button type="submit" class="btn btn-primary btn-block">{t("services.confirm_reschedule")}</button>
                                        })}
                                    </form>
                                </section>
                            });
                            view! {
                                <section class="card">
                                    <h2>{t("services.step_day")}</h2>
                                    {day_links(&days, day.as_deref(), |d| format!("{}?day={d}", reschedule_path(&bid)))}
                                </section>
                                {slots_form}
                            }.into_any()
                        };
                        view! {
                            <Title text=t("services.reschedule")/>
                            <Layout viewer=Viewer::Customer>
                                <p><a href=booking_path(&b.id)>{t("services.back_to_booking")}</a></p>
                                <h1>{t("services.reschedule")}</h1>
                                <p class="muted">{format!("{name} · {} · {}", b.provider_name, datetime(b.starts_at))}</p>
                                <ErrorNotice error=error.clone()/>
                                {body}
                            </Layout>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// `/roadside`: ask for help now. The hotline is on the page whatever happens.
#[component]
pub fn RoadsidePage() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                match api::roadside_policies().await {
                    Err(e) => page_error(e),
                    Ok(policies) => {
                        let error = error_from_query();
                        let chosen = query("policy");
                        let form = if policies.is_empty() {
                            view! { <p class="card">{t("roadside.no_policy")}</p> }.into_any()
                        } else {
                            let only = policies.len() == 1;
                            let selected = chosen.clone().filter(|c| policies.iter().any(|p| &p.policy_id == c)).unwrap_or_else(|| policies[0].policy_id.clone());
                            let plate = policies.iter().find(|p| p.policy_id == selected).map(|p| p.insured_object.clone()).unwrap_or_default();
                            let choices = policies.iter().map(|p| {
                                let left = if p.left() > 0 {
                                    t_with("roadside.calls_left", &[("n", &p.left().to_string()), ("until", &date(&p.year_end))])
                                } else {
                                    t("roadside.none_left")
                                };
                                view! {
                                    <label class="method">
                                        <input type="radio" name="policy_id" value=p.policy_id.clone() checked=p.policy_id == selected required/>
                                        <span>
                                            <strong>{p.insured_object.clone()}</strong> " · " {kind_name(&p.product_zh, &p.product_en)}
                                            <br/><span class="small muted">{policy_no_for(&p.policy_no, false)} " · " {left}</span>
                                        </span>
                                    </label>
                                }
                            }).collect_view();
                            view! {
                                <form method="post" action=RequestRoadside::PATH class="form card" data-testid="roadside-form">
                                    <fieldset class:sr-only=only>
                                        <legend>{t("roadside.policy")}</legend>
                                        {choices}
                                    </fieldset>
                                    <div class="field">
                                        <label for="location">{t("roadside.location")}</label>
                                        <textarea id="location" name="location" rows="2" maxlength="200" required
                                            aria-invalid=aria_invalid(&error, "location") autofocus=autofocus(&error, "location")
                                            aria-describedby=described_by(&error, "location", Some("location-hint"))></textarea>
                                        <p class="hint" id="location-hint">{t("roadside.location_hint")}</p>
                                    </div>
                                    <div class="field">
                                        <label for="plate">{t("roadside.plate")}</label>
                                        <input id="plate" name="plate" type="text" maxlength="12" required value=plate autocapitalize="characters"
                                            aria-invalid=aria_invalid(&error, "plate") autofocus=autofocus(&error, "plate")
                                            aria-describedby=described_by(&error, "plate", None)/>
                                    </div>
                                    <div class="field">
                                        <label for="what_happened">{t("roadside.what_happened")}</label>
                                        <textarea id="what_happened" name="what_happened" rows="3" maxlength="500" required
                                            aria-invalid=aria_invalid(&error, "what_happened") autofocus=autofocus(&error, "what_happened")
                                            aria-describedby=described_by(&error, "what_happened", Some("what-hint"))></textarea>
                                        <p class="hint" id="what-hint">{t("roadside.what_hint")}</p>
                                    </div>
                                    <div class="field">
                                        <label for="phone">{t("roadside.phone")}</label>
                                        <input id="phone" name="phone" type="tel" inputmode="tel" autocomplete="tel" maxlength="20" required
                                            aria-invalid=aria_invalid(&error, "phone") autofocus=autofocus(&error, "phone")
                                            aria-describedby=described_by(&error, "phone", None)/>
                                    </div>
                                    <button type="submit" class="btn btn-primary btn-block btn-pay">{t("roadside.submit")}</button>
                                </form>
                            }.into_any()
                        };
                        view! {
                            <Title text=t("roadside.title")/>
                            <Layout viewer=Viewer::Customer>
                                <h1>{t("roadside.title")}</h1>
                                <Hotline/>
                                <ServiceNav/>
                                <ErrorNotice error=error.clone()/>
                                {form}
                            </Layout>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

fn roadside_steps(r: &RoadsideRow) -> impl IntoView {
    let at = |s: RoadsideState| match s {
        RoadsideState::Received => Some(r.created_at),
        RoadsideState::Dispatched => r.dispatched_at,
        RoadsideState::Arrived => r.arrived_at,
        RoadsideState::Completed => r.completed_at,
    };
    let items = RoadsideState::ALL
        .iter()
        .map(|s| {
            let when = at(*s);
            let current = (*s == r.state).then_some("step");
            view! {
                <li class:reached=when.is_some() aria-current=current>
                    <strong>{t(&format!("roadside.state.{s}"))}</strong>
                    " " <span class="small muted">{when.map(datetime).unwrap_or_default()}</span>
                </li>
            }
        })
        .collect_view();
    view! { <ol class="steps" data-testid="roadside-steps">{items}</ol> }
}

/// `/roadside/:id`: where the request stands.
#[component]
pub fn RoadsideStatusPage() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                let id = param("id");
                match api::roadside_request(&id).await {
                    Err(e) => page_error(e),
                    Ok(r) => {
                        let done = done_notice("roadside", &["received"]);
                        let covered = if r.usage_year.is_some() { t("roadside.covered") } else { t("roadside.not_covered") };
                        let phone = crate::model::Phone::parse(&r.callback_phone).map(|p| crate::i18n::phone(&p)).unwrap_or_default();
                        let survey = crate::api::surveys::survey_about(crate::model::SurveySubject::Roadside, &r.id).await;
                        view! {
                            <Title text=t("roadside.status_title")/>
                            <Layout viewer=Viewer::Customer>
                                <p><a href=BOOKINGS>{t("services.back_to_bookings")}</a></p>
                                <h1>{t("roadside.status_title")}</h1>
                                <Hotline/>
                                {done}
                                <super::surveys::SurveyNotice survey/>
                                <section class="card" data-testid="roadside-status">
                                    <p>{t("roadside.request_no")} " " <strong class="mono" data-testid="request-no">{r.request_no.clone()}</strong></p>
                                    <p><span class=roadside_badge(r.state) data-testid="roadside-state">{t(&format!("roadside.state.{}", r.state))}</span></p>
                                    {roadside_steps(&r)}
                                    <dl class="facts">
                                        <dt>{t("roadside.location")}</dt><dd>{r.location.clone()}</dd>
                                        <dt>{t("roadside.plate")}</dt><dd>{r.plate.clone()}</dd>
                                        <dt>{t("roadside.what_happened")}</dt><dd>{r.what_happened.clone()}</dd>
                                        <dt>{t("roadside.phone")}</dt><dd class="mono">{phone}</dd>
                                    </dl>
                                    <p class="muted small">{covered}</p>
                                </section>
                            </Layout>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// `/staff/services`: a week of slots in one action; close appointments that happened.
#[component]
pub fn StaffServicesPage() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                match api::staff_services().await {
                    Err(e) => super::staff::staff_page_error(e),
                    Ok((providers, booked)) => {
                        let error = error_from_query();
                        let q = use_query_map().get_untracked();
                        let done = q.get("done").filter(|d| ["week", "completed", "no_show"].contains(&d.as_str())).map(|d| {
                            let added = q.get("added").and_then(|a| a.parse::<u64>().ok()).unwrap_or(0).to_string();
                            view! { <p class="alert alert-info" role="status" data-testid="done">{t_with(&format!("services.staff.done.{d}"), &[("n", &added)])}</p> }
                        });
                        let now = ctx::state().clock.now();
                        let today = ctx::state().clock.today_shanghai();
                        let monday = {
                            use chrono::Datelike;
                            today + chrono::Days::new(u64::from(7 - today.weekday().num_days_from_monday()))
                        };
                        let options = providers.iter().map(|p| view! {
                            <option value=p.id.clone()>{format!("{} · {}", p.name, p.city)}</option>
                        }).collect_view();
                        let rows = booked.iter().map(|b| {
                            let started = b.starts_at <= now;
                            let buttons = started.then(|| {
                                let form = |outcome: &'static str| view! {
                                    <form method="post" action=CloseBooking::PATH class="inline">
                                        <input type="hidden" name="booking_id" value=b.id.clone()/>
                                        <input type="hidden" name="outcome" value=outcome/>
                                        <button type="submit" class="btn btn-quiet">{t(&format!("services.staff.mark_{outcome}"))}</button>
                                    </form>
                                };
                                view! { {form("completed")} {form("no_show")} }
                            });
                            view! {
                                <tr data-testid="staff-booking">
                                    <td class="small">{datetime(b.starts_at)}</td>
                                    <td>{kind_name(&b.kind_zh, &b.kind_en)}</td>
                                    <td>{b.provider_name.clone()}</td>
                                    <td>{buttons}</td>
                                </tr>
                            }
                        }).collect_view();
                        view! {
                            <Title text=t("services.staff.title")/>
                            <Layout viewer=Viewer::Staff>
                                <p><a href="/staff">{t("services.staff.back")}</a></p>
                                <h1>{t("services.staff.title")}</h1>
                                {done}
                                <ErrorNotice error=error.clone()/>
                                <section class="card">
                                    <h2>{t("services.staff.week")}</h2>
                                    <form method="post" action=CreateSlotWeek::PATH class="form" data-testid="week-form">
                                        <div class="field">
                                            <label for="provider_id">{t("services.provider")}</label>
                                            <select id="provider_id" name="provider_id" required>{options}</select>
                                        </div>
                                        <div class="field">
                                            <label for="first_day">{t("services.staff.first_day")}</label>
                                            <input id="first_day" name="first_day" type="date" required value=monday.to_string()/>
                                        </div>
                                        <div class="field">
                                            <label for="hours">{t("services.staff.hours")}</label>
                                            <input id="hours" name="hours" type="text" required value="9,10,14,15" inputmode="numeric"
                                                aria-invalid=aria_invalid(&error, "hours") aria-describedby=described_by(&error, "hours", Some("hours-hint"))/>
                                            <p class="hint" id="hours-hint">{t("services.staff.hours_hint")}</p>
                                        </div>
                                        <div class="field">
                                            <label for="capacity">{t("services.staff.capacity")}</label>
                                            <input id="capacity" name="capacity" type="number" min="1" max="50" required value="4"/>
                                        </div>
                                        <label class="check"><input type="checkbox" name="sundays" value="on"/><span>{t("services.staff.sundays")}</span></label>
                                        <button type="submit" class="btn btn-primary">{t("services.staff.create_week")}</button>
                                    </form>
                                </section>
                                <section class="card table-wrap">
                                    <h2>{t("services.staff.to_close")}</h2>
                                    <table>
                                        <thead><tr>
                                            <th scope="col">{t("services.time")}</th>
                                            <th scope="col">{t("services.service")}</th>
                                            <th scope="col">{t("services.provider")}</th>
                                            <th scope="col"><span class="sr-only">{t("services.action")}</span></th>
                                        </tr></thead>
                                        <tbody>{rows}</tbody>
                                    </table>
                                </section>
                            </Layout>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// `/staff/roadside`: requests not yet completed, each one step on at a time.
#[component]
pub fn StaffRoadsidePage() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                match api::staff_roadside().await {
                    Err(e) => super::staff::staff_page_error(e),
                    Ok(requests) => {
                        let error = error_from_query();
                        let done = use_query_map().get_untracked().get("done").and_then(|d| RoadsideState::parse(&d)).map(|s| view! {
                            <p class="alert alert-info" role="status" data-testid="done">{t_with("roadside.staff.moved", &[("state", &t(&format!("roadside.state.{s}")))])}</p>
                        });
                        let empty = requests.is_empty().then(|| view! { <p class="muted">{t("roadside.staff.none")}</p> });
                        let rows = requests.iter().map(|r| {
                            let next = r.state.next().map(|n| view! {
                                <form method="post" action=AdvanceRoadside::PATH class="inline">
                                    <input type="hidden" name="request_id" value=r.id.clone()/>
                                    <input type="hidden" name="from" value=r.state.as_str()/>
                                    <button type="submit" class="btn btn-quiet" data-testid="advance">{t(&format!("roadside.staff.to_{n}"))}</button>
                                </form>
                            });
                            let phone = crate::model::Phone::parse(&r.callback_phone).map(|p| crate::i18n::phone(&p)).unwrap_or_default();
                            view! {
                                <tr data-testid="staff-roadside">
                                    <td class="mono small">{r.request_no.clone()}<br/>{datetime(r.created_at)}</td>
                                    <td>{r.location.clone()}<br/><span class="small">{r.plate.clone()} " · " {r.what_happened.clone()}</span></td>
                                    <td class="mono small">{phone}</td>
                                    <td><span class=roadside_badge(r.state)>{t(&format!("roadside.state.{}", r.state))}</span></td>
                                    <td>{next}</td>
                                </tr>
                            }
                        }).collect_view();
                        view! {
                            <Title text=t("roadside.staff.title")/>
                            <Layout viewer=Viewer::Staff>
                                <p><a href="/staff">{t("services.staff.back")}</a></p>
                                <h1>{t("roadside.staff.title")}</h1>
                                <Hotline/>
                                {done}
                                <ErrorNotice error/>
                                {empty}
                                <div class="card table-wrap">
                                    <table>
                                        <thead><tr>
                                            <th scope="col">{t("roadside.request_no")}</th>
                                            <th scope="col">{t("roadside.location")}</th>
                                            <th scope="col">{t("roadside.phone")}</th>
                                            <th scope="col">{t("roadside.staff.state")}</th>
                                            <th scope="col"><span class="sr-only">{t("services.action")}</span></th>
                                        </tr></thead>
                                        <tbody>{rows}</tbody>
                                    </table>
                                </div>
                            </Layout>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}
