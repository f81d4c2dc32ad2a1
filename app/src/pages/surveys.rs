//! Satisfaction surveys: the one-screen survey a customer answers (from its SMS link or
//! their own pages), the notice that points to it, and the staff results with their
//! chart drawn here on the server as SVG.

use super::policies::page_error;
use crate::api::account::Viewer;
use crate::api::ctx::{self, PageError};
use crate::api::surveys::{self as api, survey_path, AnswerSurvey, STAFF_SURVEYS};
use crate::backend::clock::shanghai_date;
use crate::backend::domain::surveys::{Standing, Tally, MAX_COMMENT};
use crate::backend::services::surveys::{Results, SurveyView, CLAIM_SERVICE};
use crate::backend::store::surveys::InvitationRow;
use crate::components::{
    aria_invalid, autofocus, described_by, error_from_query, ErrorNotice, FormError, Layout,
};
use crate::i18n::{date, locale, t, t_with, Locale};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The service an invitation is about, in the page's language.
fn service_name(service: &str, zh: Option<&str>, en: Option<&str>) -> String {
    if service == CLAIM_SERVICE {
        return t("survey.service.claim");
    }
    let name = match locale() {
        Locale::ZhCn => zh,
        Locale::En => en,
    };
    name.map(str::to_owned)
        .unwrap_or_else(|| t("survey.service.other"))
}

fn invitation_service(i: &InvitationRow) -> String {
    service_name(&i.service, i.service_zh.as_deref(), i.service_en.as_deref())
}

/// "Please rate this service", on the page of a booking, request or claim that has an
/// open invitation; "thank you" once it is answered.
#[component]
pub fn SurveyNotice(survey: Option<SurveyView>) -> impl IntoView {
    survey.and_then(|s| match s.standing {
        Standing::Open => Some(
            view! {
                <p class="alert alert-info survey-call" data-testid="survey-notice">
                    {t("survey.notice")} " "
                    <a class="btn btn-primary" href=survey_path(&s.invitation.id) data-testid="survey-link">{t("survey.notice_link")}</a>
                </p>
            }
            .into_any(),
        ),
        Standing::Answered => Some(
            view! { <p class="muted small" data-testid="survey-thanks">{t("survey.notice_answered")}</p> }
                .into_any(),
        ),
        Standing::Expired => None,
    })
}

/// The customer's open invitations, for their home page.
#[component]
pub fn OpenSurveys(open: Vec<InvitationRow>) -> impl IntoView {
    (!open.is_empty()).then(|| {
        let items = open
            .iter()
            .map(|i| {
                view! {
                    <li>
                        <a href=survey_path(&i.id) data-testid="open-survey">
                            {t_with("survey.rate_service", &[("service", &invitation_service(i))])}
                        </a>
                        <span class="muted small">" · "{t_with("survey.until", &[("date", &date(&shanghai_date(i.expires_at - 1).to_string()))])}</span>
                    </li>
                }
            })
            .collect_view();
        view! {
            <section class="card" data-testid="open-surveys">
                <h2>{t("survey.notice")}</h2>
                <ul class="plain">{items}</ul>
            </section>
        }
    })
}

/// The ten scores, one radio each: large tap targets, two rows of five on a phone.
fn score_radios(error: &Option<FormError>) -> impl IntoView {
    let items = (1..=10)
        .map(|n| {
            let id = format!("score-{n}");
            view! {
                <label class="score" for=id.clone()>
                    <input type="radio" name="score" id=id.clone() value=n.to_string() required
                        aria-invalid=aria_invalid(error, "score-1")
                        autofocus=n == 1 && autofocus(error, "score-1")
                        aria-describedby=described_by(error, "score-1", Some("score-ends"))/>
                    <span>{n}</span>
                </label>
            }
        })
        .collect_view();
    view! {
        <fieldset class="scores">
            <legend>{t("survey.legend")}</legend>
            <div class="score-grid">{items}</div>
            <p class="score-ends small muted" id="score-ends">
                <span>{t("survey.low")}</span>
                <span>{t("survey.high")}</span>
            </p>
        </fieldset>
    }
}

/// `/surveys/:id`: one screen — the score, an optional comment, send. Says plainly when
/// it was answered (with the answer) or has expired.
#[component]
pub fn SurveyPage() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                let id = super::route_param("id");
                match api::survey(&id).await {
                    Err(e) => page_error(e),
                    Ok((s, may_answer)) => {
                        let i = &s.invitation;
                        let service = invitation_service(i);
                        let error = error_from_query();
                        let thanks = (use_query_map().get_untracked().get("done").as_deref() == Some("answered"))
                            .then(|| view! { <p class="alert alert-info" role="status" data-testid="done">{t("survey.thanks")}</p> });
                        let body = match s.standing {
                            Standing::Answered => {
                                let comment = i.comment.clone().filter(|c| !c.is_empty());
                                view! {
                                    <p data-testid="survey-answered">{t("survey.answered")}</p>
                                    <dl class="facts">
                                        <dt>{t("survey.your_score")}</dt>
                                        <dd class="strong" data-testid="survey-score">{t_with("survey.points", &[("n", &i.score.unwrap_or_default().to_string())])}</dd>
                                        {comment.map(|c| view! {
                                            <dt>{t("survey.your_comment")}</dt>
                                            <dd class="sms-body">{c}</dd>
                                        })}
                                        {i.answered_at.map(|a| view! {
                                            <dt>{t("survey.answered_at")}</dt>
                                            <dd>{crate::i18n::datetime(a)}</dd>
                                        })}
                                    </dl>
                                }.into_any()
                            }
                            Standing::Expired => view! {
                                <p class="alert alert-warn" data-testid="survey-expired">{t("survey.expired")}</p>
                            }.into_any(),
                            Standing::Open => view! {
                                {(!may_answer).then(|| view! { <p class="alert alert-warn">{t("survey.read_only")}</p> })}
                                <form method="post" action=AnswerSurvey::PATH class="form" data-testid="survey-form">
                                    <input type="hidden" name="survey_id" value=i.id.clone()/>
                                    {score_radios(&error)}
                                    <div class="field">
                                        <label for="comment">{t("survey.comment")}</label>
                                        <textarea id="comment" name="comment" rows="3" maxlength=MAX_COMMENT.to_string()
                                            aria-invalid=aria_invalid(&error, "comment") autofocus=autofocus(&error, "comment")
                                            aria-describedby=described_by(&error, "comment", Some("comment-hint"))></textarea>
                                        <p class="hint" id="comment-hint">{t_with("survey.comment_hint", &[("n", &MAX_COMMENT.to_string())])}</p>
                                    </div>
                                    <button type="submit" class="btn btn-primary btn-block" data-testid="survey-submit">{t("survey.submit")}</button>
                                </form>
                                <p class="muted small">{t_with("survey.until", &[("date", &crate::i18n::datetime(i.expires_at))])}</p>
                            }.into_any(),
                        };
                        view! {
                            <Title text=t("survey.title")/>
                            <Layout viewer=Viewer::Customer>
                                <section class="card narrow" data-testid="survey">
                                    <p class="eyebrow">{t("survey.title")}</p>
                                    <h1>{t_with("survey.heading", &[("service", &service)])}</h1>
                                    {thanks}
                                    <ErrorNotice error=error.clone()/>
                                    {body}
                                </section>
                            </Layout>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// `+23`, `−5`, `0`, or a dash when nobody answered.
fn signed(n: Option<i64>) -> String {
    match n {
        Some(n) if n > 0 => format!("+{n}"),
        Some(n) if n < 0 => format!("−{}", -n),
        Some(_) => "0".into(),
        None => "—".into(),
    }
}

fn average(tally: &Tally) -> String {
    tally
        .average_tenths()
        .map(|a| format!("{}.{}", a / 10, a % 10))
        .unwrap_or_else(|| "—".into())
}

fn rate(tally: &Tally) -> String {
    tally
        .response_rate()
        .map(|r| format!("{r}%"))
        .unwrap_or_else(|| "—".into())
}

/// The 1–10 distribution as bars, drawn on the server. Scale to the largest count;
/// 1–6, 7–8 and 9–10 in three colours (the legend says which). The figure's caption
/// and the table under it say the same in words and numbers.
fn distribution_chart(tally: &Tally) -> impl IntoView {
    const W: i64 = 340;
    const BASE: i64 = 170;
    const TALL: i64 = 130;
    let max = tally.counts.iter().copied().max().unwrap_or(0).max(1);
    let bars = tally
        .counts
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let x = 12 + i as i64 * 32;
            let h = if *c == 0 { 0 } else { (c * TALL / max).max(2) };
            let class = match i {
                0..=5 => "bar bar-low",
                6 | 7 => "bar bar-mid",
                _ => "bar bar-high",
            };
            view! {
                <g>
                    <rect class=class x=x.to_string() y=(BASE - h).to_string() width="26" height=h.to_string() rx="3"/>
                    <text class="bar-count" x=(x + 13).to_string() y=(BASE - h - 6).to_string() text-anchor="middle">{c.to_string()}</text>
                    <text class="bar-label" x=(x + 13).to_string() y=(BASE + 20).to_string() text-anchor="middle">{(i + 1).to_string()}</text>
                </g>
            }
        })
        .collect_view();
    let cells = tally
        .counts
        .iter()
        .map(|c| view! { <td class="num">{c.to_string()}</td> })
        .collect_view();
    let shares = tally
        .shares()
        .map(|s| view! { <td class="num">{format!("{s}%")}</td> })
        .into_iter()
        .collect_view();
    let heads = (1..=10)
        .map(|n| view! { <th scope="col" class="num">{n.to_string()}</th> })
        .collect_view();
    view! {
        <figure class="chart" data-testid="score-chart">
            <svg viewBox=format!("0 0 {W} 200") role="img" aria-labelledby="chart-caption" class="bars">
                <line class="axis" x1="6" x2=(W - 6).to_string() y1=BASE.to_string() y2=BASE.to_string()/>
                {bars}
            </svg>
            <figcaption id="chart-caption">
                {t_with("survey.staff.chart_caption", &[("n", &tally.answered().to_string())])}
                <span class="legend">
                    <span class="key key-low"></span>{t("survey.staff.low")}
                    <span class="key key-mid"></span>{t("survey.staff.mid")}
                    <span class="key key-high"></span>{t("survey.staff.high")}
                </span>
            </figcaption>
            <div class="table-wrap" tabindex="0" role="region" aria-label=t("survey.staff.table_caption")>
                <table class="dist" data-testid="score-table">
                    <caption class="sr-only">{t("survey.staff.table_caption")}</caption>
                    <thead><tr><th scope="col">{t("survey.staff.score")}</th>{heads}</tr></thead>
                    <tbody>
                        <tr><th scope="row">{t("survey.staff.count")}</th>{cells}</tr>
                        <tr><th scope="row">{t("survey.staff.share")}</th>{shares}</tr>
                    </tbody>
                </table>
            </div>
        </figure>
    }
}

/// One row of figures: sent, answered, rate, average, 9–10 minus 1–6.
fn figures_row(label: String, tally: &Tally) -> impl IntoView {
    view! {
        <tr>
            <th scope="row">{label}</th>
            <td class="num">{tally.sent.to_string()}</td>
            <td class="num">{tally.answered().to_string()}</td>
            <td class="num">{rate(tally)}</td>
            <td class="num">{average(tally)}</td>
            <td class="num">{signed(tally.net_score())}</td>
        </tr>
    }
}

/// A table of figures per row, in a frame that scrolls (and takes the focus, so keyboards
/// can scroll it) on a narrow screen; `title` is its section's heading key.
fn figures_table(
    title: &'static str,
    first: &'static str,
    rows: Vec<(String, Tally)>,
    testid: &'static str,
) -> impl IntoView {
    let rows = rows
        .into_iter()
        .map(|(label, tally)| figures_row(label, &tally))
        .collect_view();
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label=t(title)>
            <table class="figures" data-testid=testid>
                <thead>
                    <tr>
                        <th scope="col">{t(first)}</th>
                        <th scope="col" class="num">{t("survey.staff.sent")}</th>
                        <th scope="col" class="num">{t("survey.staff.answered")}</th>
                        <th scope="col" class="num">{t("survey.staff.rate")}</th>
                        <th scope="col" class="num">{t("survey.staff.average")}</th>
                        <th scope="col" class="num">{t("survey.staff.net")}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

fn results_view(q: crate::backend::services::surveys::ResultsQuery, r: Results) -> impl IntoView {
    let name_of = |code: &str| {
        r.services
            .iter()
            .find(|(c, ..)| c == code)
            .map(|(c, zh, en)| service_name(c, Some(zh), Some(en)))
            .unwrap_or_else(|| t("survey.service.other"))
    };
    let options = std::iter::once(("all".to_owned(), t("survey.staff.all")))
        .chain(
            r.services
                .iter()
                .map(|(c, zh, en)| (c.clone(), service_name(c, Some(zh), Some(en)))),
        )
        .map(|(code, name)| {
            let selected = q.service.as_deref().unwrap_or("all") == code;
            view! { <option value=code selected=selected>{name}</option> }
        })
        .collect_view();
    let by_service: Vec<(String, Tally)> = r
        .by_service
        .iter()
        .map(|(c, tally)| (name_of(c), tally.clone()))
        .collect();
    let by_month: Vec<(String, Tally)> = r
        .by_month
        .iter()
        .rev()
        .map(|(m, tally)| (m.to_string(), tally.clone()))
        .collect();
    let comments = r
        .comments
        .iter()
        .map(|c| {
            view! {
                <li class="comment">
                    <p class="muted small">
                        <span class="badge badge-muted">{t_with("survey.points", &[("n", &c.score.to_string())])}</span>
                        " " {name_of(&c.service)} " · " {crate::i18n::datetime(c.answered_at)}
                    </p>
                    <p class="sms-body">{c.comment.clone()}</p>
                </li>
            }
        })
        .collect_view();
    let no_comments = r
        .comments
        .is_empty()
        .then(|| view! { <p class="muted">{t("survey.staff.no_comments")}</p> });
    let total = &r.total;
    view! {
        <section class="card">
            <h1>{t("survey.staff.title")}</h1>
            <form method="get" action=STAFF_SURVEYS class="filters" data-testid="survey-filters">
                <div class="field">
                    <label for="service">{t("survey.staff.kind")}</label>
                    <select id="service" name="service">{options}</select>
                </div>
                <div class="field">
                    <label for="from">{t("survey.staff.from")}</label>
                    <input id="from" name="from" type="month" value=q.from.to_string() min="2000-01" max="2100-12"/>
                </div>
                <div class="field">
                    <label for="to">{t("survey.staff.to")}</label>
                    <input id="to" name="to" type="month" value=q.to.to_string() min="2000-01" max="2100-12"/>
                </div>
                <button type="submit" class="btn btn-quiet">{t("survey.staff.apply")}</button>
            </form>
            <p><a href=api::csv_url(&q) download="" data-testid="survey-csv">{t("survey.staff.csv")}</a></p>
            <dl class="stats" data-testid="survey-stats">
                <div><dt>{t("survey.staff.average")}</dt><dd data-testid="stat-average">{average(total)}</dd></div>
                <div><dt>{t("survey.staff.net")}</dt><dd data-testid="stat-net">{signed(total.net_score())}</dd></div>
                <div><dt>{t("survey.staff.rate")}</dt><dd data-testid="stat-rate">{rate(total)}</dd></div>
                <div><dt>{t("survey.staff.answered")}</dt><dd>{format!("{} / {}", total.answered(), total.sent)}</dd></div>
            </dl>
            <p class="muted small">{t("survey.staff.net_hint")}</p>
        </section>
        <section class="card">
            <h2>{t("survey.staff.distribution")}</h2>
            {distribution_chart(total)}
        </section>
        <section class="card">
            <h2>{t("survey.staff.by_kind")}</h2>
            {figures_table("survey.staff.by_kind", "survey.staff.kind", by_service, "by-kind")}
        </section>
        <section class="card">
            <h2>{t("survey.staff.by_month")}</h2>
            {figures_table("survey.staff.by_month", "survey.staff.month", by_month, "by-month")}
        </section>
        <section class="card">
            <h2>{t("survey.staff.comments")}</h2>
            {no_comments}
            <ul class="plain comments" data-testid="survey-comments">{comments}</ul>
        </section>
    }
}

/// `/staff/surveys`: results for supervisors and admins.
#[component]
pub fn StaffSurveysPage() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                let q = use_query_map().get_untracked();
                match api::staff_results(q.get("from").as_deref(), q.get("to").as_deref(), q.get("service").as_deref()).await {
                    Ok((query, results)) => view! {
                        <Title text=t("survey.staff.title")/>
                        <Layout viewer=Viewer::Staff>
                            <p><a href="/staff">{t("staff.home_title")}</a></p>
                            {results_view(query, results)}
                        </Layout>
                    }.into_any(),
                    Err(PageError::Login) => {
                        ctx::go_page("/staff/login");
                        ().into_any()
                    }
                    Err(PageError::NotFound) => view! { <super::NotFound/> }.into_any(),
                    Err(PageError::Internal(rid)) => {
                        view! { <Layout viewer=Viewer::Staff><super::ServerErrorPage rid/></Layout> }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}
