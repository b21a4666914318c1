//! One referral: its details, the child's data shared with the receiver (only the field groups
//! the consent covers, as sent), and the status changes the caller's side may make, each with
//! If-Match; a 412 reloads the referral and says why.
use gloo_net::http::Method;
use madar_openapi::family::GuardianRelationship;
use madar_openapi::referrals::{
    CancelReferral, CompleteReferral, DeclineReferral, ReferralOutcome, ReferralResponse,
    ReferralSnapshot, ReferralStatus, SnapshotObjective,
};
use madar_openapi::Language;
use validator::Validate;
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use super::referrals::lists::{
    self, organization_name, use_organizations, use_reference_list, Items, Organizations,
};
use super::referrals::logic::{moves, sides, Move};
use super::referrals::{colon, groups_text, outcome_label, service_label, status_badge};
use crate::api::{self, ApiError, Call};
use crate::components::widgets::{child_names, date, datetime, Loading, ProblemMessage};
use crate::i18n::{self, Key};
use crate::route::Route;
use crate::state::{AppContext, Vocabulary};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub id: String,
}

type Loaded = (ReferralResponse, String);

const OUTCOMES: [ReferralOutcome; 3] = [
    ReferralOutcome::Achieved,
    ReferralOutcome::PartiallyAchieved,
    ReferralOutcome::NotAchieved,
];

fn relationship(lang: Language, r: &GuardianRelationship) -> &'static str {
    use GuardianRelationship as G;
    let key = match r {
        G::Mother => Key::ReferralsRelMother,
        G::Father => Key::ReferralsRelFather,
        G::Grandparent => Key::ReferralsRelGrandparent,
        G::Sibling => Key::ReferralsRelSibling,
        G::OtherRelative => Key::ReferralsRelOtherRelative,
        G::LegalGuardian => Key::ReferralsRelLegalGuardian,
        G::Kafil => Key::ReferralsRelKafil,
        G::FosterParent => Key::ReferralsRelFosterParent,
        G::Other => Key::ReferralsRelOther,
    };
    i18n::t(lang, key)
}

fn move_key(m: Move) -> Key {
    match m {
        Move::Accept => Key::ReferralsAccept,
        Move::Decline => Key::ReferralsDecline,
        Move::Start => Key::ReferralsStart,
        Move::Complete => Key::ReferralsComplete,
        Move::Cancel => Key::ReferralsCancel,
    }
}

/// Empty text → `None`.
fn text(value: &str) -> Option<String> {
    let t = value.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// The body a move sends, validated with the contract's rules; `Err` names what is wrong.
fn body_of(
    m: Move,
    reason: &str,
    outcome: &str,
    feedback: &str,
) -> Result<Option<serde_json::Value>, Key> {
    let value = match m {
        Move::Accept | Move::Start => return Ok(None),
        Move::Decline => {
            let body = DeclineReferral {
                reason: reason.trim().to_owned(),
            };
            body.validate().map_err(|_| Key::ReferralsReasonInvalid)?;
            serde_json::to_value(body)
        }
        Move::Complete => {
            let outcome: ReferralOutcome =
                crate::json::code(outcome).unwrap_or(ReferralOutcome::Achieved);
            let body = CompleteReferral {
                outcome,
                feedback: text(feedback),
            };
            body.validate().map_err(|_| Key::ReferralsFeedbackInvalid)?;
            serde_json::to_value(body)
        }
        Move::Cancel => {
            let body = CancelReferral {
                reason: text(reason),
            };
            body.validate().map_err(|_| Key::ReferralsReasonInvalid)?;
            serde_json::to_value(body)
        }
    };
    Ok(value.ok())
}

async fn send(
    id: &str,
    m: Move,
    etag: &str,
    body: Option<serde_json::Value>,
) -> Result<Loaded, ApiError> {
    let path = format!("/referrals/{id}/{}", m.verb());
    let mut call = Call::new(Method::POST, &path).if_match(etag);
    if let Some(body) = &body {
        call = call.json(body);
    }
    let response = call.send().await?;
    let tag = api::etag(&response).unwrap_or_default();
    Ok((api::json(response).await?, tag))
}

#[function_component(ReferralPage)]
pub fn referral_page(props: &Props) -> Html {
    let ctx = use_context::<AppContext>();
    let live = ctx.as_ref().map(|c| c.live_version).unwrap_or_default();
    let data = use_state(|| None::<Result<Loaded, ApiError>>);
    let reload = use_state(|| 0_u32);
    let busy = use_state(|| None::<Move>);
    let done = use_state(|| None::<Result<ReferralStatus, ApiError>>);
    let conflict = use_state(|| false);
    let invalid = use_state(|| None::<Key>);
    let decline_reason = use_state(String::new);
    let cancel_reason = use_state(String::new);
    let outcome = use_state(|| "achieved".to_owned());
    let feedback = use_state(String::new);
    let types = use_reference_list("service_types");
    let organizations = use_organizations();
    {
        let data = data.clone();
        use_effect_with((props.id.clone(), live, *reload), move |(id, _, _)| {
            let path = format!("/referrals/{id}");
            spawn_local(async move {
                let answer = api::get_tagged::<ReferralResponse>(&path).await;
                // A failed reload after a success keeps what is shown.
                if answer.is_ok() || !matches!(&*data, Some(Ok(_))) {
                    data.set(Some(answer));
                }
            });
        });
    }
    let Some(ctx) = ctx else {
        return Html::default();
    };
    let lang = ctx.lang;
    let (referral, etag) = match &*data {
        None => return html! { <Loading busy=true /> },
        Some(Err(e)) => return html! { <ProblemMessage error={e.clone()} /> },
        Some(Ok((r, tag))) => (r.clone(), tag.clone()),
    };
    let organization = ctx
        .user
        .as_ref()
        .map(|u| u.organization.clone())
        .unwrap_or_default();
    let allowed = moves(referral.status, sides(&referral, &organization));

    let act = |m: Move| {
        let (data, busy, done, conflict, invalid, reload) = (
            data.clone(),
            busy.clone(),
            done.clone(),
            conflict.clone(),
            invalid.clone(),
            reload.clone(),
        );
        let (decline_reason, cancel_reason, outcome, feedback) = (
            decline_reason.clone(),
            cancel_reason.clone(),
            outcome.clone(),
            feedback.clone(),
        );
        let (id, etag, snapshot) = (
            referral.id.to_string(),
            etag.clone(),
            referral.snapshot.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            if busy.is_some() {
                return;
            }
            let reason = match m {
                Move::Cancel => (*cancel_reason).clone(),
                _ => (*decline_reason).clone(),
            };
            let body = match body_of(m, &reason, &outcome, &feedback) {
                Ok(body) => body,
                Err(key) => {
                    invalid.set(Some(key));
                    return;
                }
            };
            invalid.set(None);
            conflict.set(false);
            done.set(None);
            busy.set(Some(m));
            let (data, busy, done, conflict, reload) = (
                data.clone(),
                busy.clone(),
                done.clone(),
                conflict.clone(),
                reload.clone(),
            );
            let (id, etag, snapshot) = (id.clone(), etag.clone(), snapshot.clone());
            let (decline_reason, cancel_reason, feedback) = (
                decline_reason.clone(),
                cancel_reason.clone(),
                feedback.clone(),
            );
            spawn_local(async move {
                match send(&id, m, &etag, body).await {
                    Ok((mut changed, tag)) => {
                        // Moves answer without the snapshot; it never changes.
                        if changed.snapshot.is_none() {
                            changed.snapshot = snapshot;
                        }
                        done.set(Some(Ok(changed.status)));
                        data.set(Some(Ok((changed, tag))));
                        decline_reason.set(String::new());
                        cancel_reason.set(String::new());
                        feedback.set(String::new());
                    }
                    Err(e) if e.status() == Some(412) => {
                        conflict.set(true);
                        reload.set(*reload + 1);
                    }
                    Err(e) => done.set(Some(Err(e))),
                }
                busy.set(None);
            });
        })
    };
    let button = |m: Move, class: &'static str| {
        let working = *busy == Some(m);
        html! {
            <button type="button" id={format!("referral-{}", m.verb())} {class}
                disabled={busy.is_some()} onclick={act(m)}>
                { if working { i18n::t(lang, Key::ReferralsWorking) } else { i18n::t(lang, move_key(m)) } }
            </button>
        }
    };
    let textarea =
        |id: &'static str, label: Key, optional: bool, value: &UseStateHandle<String>| {
            let oninput = {
                let value = value.clone();
                Callback::from(move |e: InputEvent| {
                    if let Some(area) = e.target_dyn_into::<web_sys::HtmlTextAreaElement>() {
                        value.set(area.value());
                    }
                })
            };
            html! {
                <div class="field">
                    <label for={id}>{ i18n::t(lang, label) }
                        if optional { { " " }<span class="referrals-optional">
                            { i18n::t(lang, Key::ReferralsOptional) }</span> }
                    </label>
                    <textarea {id} maxlength="2000" value={(**value).clone()} {oninput} />
                </div>
            }
        };

    let actions = html! {
        <section class="card referrals-actions" aria-labelledby="referral-actions-title">
            <h2 id="referral-actions-title">{ i18n::t(lang, Key::ReferralsActions) }</h2>
            if let Some(Ok(status)) = &*done {
                <p id="referral-result" class="success" role="status">
                    { i18n::tf(lang, Key::ReferralsStatusNow, &[("status",
                        &ctx.vocabulary.label_of(lang, "referral_statuses", status))]) }
                </p>
            }
            if let Some(Err(e)) = &*done { <ProblemMessage error={e.clone()} /> }
            if *conflict {
                <p id="referral-conflict" class="error" role="alert">
                    { i18n::t(lang, Key::ReferralsConflict) }</p>
            }
            if let Some(key) = *invalid {
                <p id="referral-invalid" class="error" role="alert">{ i18n::t(lang, key) }</p>
            }
            if allowed.is_empty() {
                <p class="empty">{ i18n::t(lang, Key::ReferralsNoActions) }</p>
            }
            { for allowed.iter().map(|m| match m {
                Move::Accept | Move::Start => html! {
                    <div class="referrals-move">{ button(*m, "primary") }</div>
                },
                Move::Decline => html! {
                    <div class="referrals-move">
                        { textarea("decline-reason", Key::ReferralsDeclineReason, false, &decline_reason) }
                        { button(*m, "secondary") }
                    </div>
                },
                Move::Cancel => html! {
                    <div class="referrals-move">
                        { textarea("cancel-reason", Key::ReferralsCancelReason, true, &cancel_reason) }
                        { button(*m, "secondary") }
                    </div>
                },
                Move::Complete => {
                    let on_outcome = {
                        let outcome = outcome.clone();
                        Callback::from(move |e: Event| {
                            if let Some(s) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                                outcome.set(s.value());
                            }
                        })
                    };
                    html! {
                        <div class="referrals-move">
                            <div class="field">
                                <label for="complete-outcome">{ i18n::t(lang, Key::ReferralsOutcome) }</label>
                                <select id="complete-outcome" onchange={on_outcome}>
                                    { for OUTCOMES.iter().map(|o| {
                                        let code = Vocabulary::code_of(o);
                                        let selected = *outcome == code;
                                        html! { <option value={code} {selected}>{ outcome_label(lang, o) }</option> }
                                    }) }
                                </select>
                            </div>
                            { textarea("complete-feedback", Key::ReferralsFeedback, true, &feedback) }
                            { button(*m, "primary") }
                        </div>
                    }
                }
            }) }
        </section>
    };

    html! {
        <section id="referral" class="referrals referral" aria-labelledby="referral-title">
            <p class="referrals-back">
                <Link<Route> to={Route::Referrals}>{ i18n::t(lang, Key::ReferralsBack) }</Link<Route>>
            </p>
            <h1 id="referral-title">
                { i18n::t(lang, Key::ReferralsDetailTitle) }{ " · " }
                { service_label(&types, lang, &referral) }
            </h1>
            <p id="referral-status" class="facts">{ status_badge(lang, &ctx.vocabulary, &referral) }</p>
            <div class="referrals-columns">
                <div>
                    { details(&ctx, &organizations, &referral) }
                    { actions }
                </div>
                { snapshot(&ctx, &types, &referral.snapshot) }
            </div>
        </section>
    }
}

/// A term and its value in a `<dl>`.
fn fact(label: &str, value: Html) -> Html {
    html! {
        <div class="referrals-fact"><dt>{ label }</dt><dd>{ value }</dd></div>
    }
}

fn when(lang: Language, at: &Option<chrono::DateTime<chrono::Utc>>) -> Option<Html> {
    at.as_ref()
        .map(|at| html! { <time datetime={at.to_rfc3339()}>{ datetime(lang, at) }</time> })
}

fn details(ctx: &AppContext, organizations: &Option<Organizations>, r: &ReferralResponse) -> Html {
    let org =
        |code: &str| html! { <bdi>{ organization_name(organizations, ctx.lang, code) }</bdi> };
    let lang = ctx.lang;
    let v = &ctx.vocabulary;
    let t = |k| i18n::t(lang, k);
    let bdi = |s: &str| html! { <bdi class="referrals-text">{ s.to_owned() }</bdi> };
    let dated = [
        (Key::ReferralsAnsweredAt, &r.answered_at),
        (Key::ReferralsStartedAt, &r.started_at),
        (Key::ReferralsClosedAt, &r.closed_at),
    ];
    let texts = [
        (Key::ReferralsOverrideReason, &r.override_reason),
        (Key::ReferralsDeclineReason, &r.decline_reason),
        (Key::ReferralsFeedback, &r.feedback),
        (Key::ReferralsCancelReason, &r.cancel_reason),
    ];
    html! {
        <section class="card" aria-labelledby="referral-details-title">
            <h2 id="referral-details-title" class="visually-hidden">{ t(Key::ReferralsDetailTitle) }</h2>
            <dl id="referral-details" class="referrals-facts">
                if let (Some(case_id), Some(reference)) = (&r.case_id, &r.case_reference) {
                    { fact(t(Key::CaseReference), html! {
                        <Link<Route> to={Route::Case { id: case_id.to_string() }}>
                            <bdi class="code">{ reference.clone() }</bdi></Link<Route>>
                    }) }
                }
                { fact(t(Key::ReferralsFrom), org(&r.from_organization)) }
                { fact(t(Key::ReferralsTo), org(&r.to_organization)) }
                { fact(t(Key::ReferralsDomain), html! { { v.label_of(lang, "pathway_domains", &r.domain) } }) }
                { fact(t(Key::Urgency), html! { { v.label_of(lang, "risk_levels", &r.urgency) } }) }
                { fact(t(Key::ReferralsReason), bdi(&r.reason)) }
                { fact(t(Key::ReferralsSentAt), html! { { datetime(lang, &r.sent_at) } }) }
                { fact(t(Key::ReferralsRespondBy), html! { { datetime(lang, &r.respond_by) } }) }
                { fact(t(Key::ReferralsDueBy), html! { { datetime(lang, &r.due_by) } }) }
                { for dated.iter().filter_map(|(k, at)| when(lang, at).map(|h| fact(t(*k), h))) }
                if let Some(o) = &r.outcome {
                    { fact(t(Key::ReferralsOutcome), html! { <span id="referral-outcome">{ outcome_label(lang, o) }</span> }) }
                }
                { for texts.iter().filter_map(|(k, s)| s.as_ref().map(|s| fact(t(*k), bdi(s)))) }
            </dl>
            <p class="facts">{ groups_text(lang, &r.field_groups) }</p>
            if r.consent_overridden {
                <p class="badge danger">{ t(Key::ReferralsOverridden) }</p>
            }
        </section>
    }
}

fn objectives(ctx: &AppContext, list: &[SnapshotObjective]) -> Html {
    let lang = ctx.lang;
    if list.is_empty() {
        return Html::default();
    }
    html! {
        <>
            <h4>{ i18n::t(lang, Key::ReferralsObjectives) }</h4>
            <ul>
                { for list.iter().map(|o| html! {
                    <li>{ ctx.vocabulary.label_of(lang, "pathway_domains", &o.domain) }{ colon(lang) }
                        <bdi>{ o.description.clone() }</bdi></li>
                }) }
            </ul>
        </>
    }
}

fn codes<T: serde::Serialize>(ctx: &AppContext, list: &str, values: &[T]) -> String {
    let sep = if ctx.lang == Language::Ar {
        "، "
    } else {
        ", "
    };
    values
        .iter()
        .map(|v| ctx.vocabulary.label_of(ctx.lang, list, v))
        .collect::<Vec<_>>()
        .join(sep)
}

fn snapshot(ctx: &AppContext, types: &Option<Items>, s: &Option<ReferralSnapshot>) -> Html {
    let lang = ctx.lang;
    let t = |k| i18n::t(lang, k);
    let v = &ctx.vocabulary;
    let Some(s) = s else {
        return html! {
            <section id="referral-snapshot" class="card referrals-snapshot">
                <h2>{ t(Key::ReferralsSnapshotTitle) }</h2>
                <p class="empty">{ t(Key::ReferralsSnapshotNone) }</p>
            </section>
        };
    };
    let taken = datetime(lang, &s.taken_at);
    html! {
        <section id="referral-snapshot" class="card referrals-snapshot" aria-labelledby="snapshot-title">
            <h2 id="snapshot-title">{ t(Key::ReferralsSnapshotTitle) }</h2>
            <p class="facts">{ i18n::tf(lang, Key::ReferralsSnapshotTaken, &[("at", &taken)]) }</p>
            if let Some(id) = &s.identity {
                <section id="snapshot-identity" class="referrals-group">
                    <h3>{ t(Key::ReferralsGroupIdentity) }</h3>
                    <p class="referrals-child">{ child_names(&id.given_name_ar, &id.family_name_ar,
                        &id.given_name_latin, &id.family_name_latin) }</p>
                    <dl class="referrals-facts">
                        { fact(t(Key::ReferralsSex), html! { { v.label_of(lang, "sexes", &id.sex) } }) }
                        if let Some(birth) = &id.birth_date {
                            { fact(t(Key::ReferralsBirthDate), html! { <>{ date(lang, birth) }
                                if id.birth_date_estimated { { " " }{ t(Key::ReferralsEstimated) } }</> }) }
                        }
                    </dl>
                </section>
            }
            if let Some(c) = &s.contact {
                <section id="snapshot-contact" class="referrals-group">
                    <h3>{ t(Key::ReferralsGroupContact) }</h3>
                    <dl class="referrals-facts">
                        { fact(t(Key::ReferralsTerritory), html! { { v.territory(lang, &c.territory) } }) }
                    </dl>
                    if !c.guardians.is_empty() {
                        <h4>{ t(Key::ReferralsGuardians) }</h4>
                        <ul class="referrals-guardians">
                            { for c.guardians.iter().map(|g| html! {
                                <li>
                                    <strong><bdi>{ g.name.clone() }</bdi></strong>{ " · " }
                                    { relationship(lang, &g.relationship) }
                                    if g.primary { { " · " }{ t(Key::ReferralsPrimaryGuardian) } }
                                    if g.lives_with_child { { " · " }{ t(Key::ReferralsLivesWithChild) } }
                                    if let Some(phone) = &g.phone {
                                        <br />{ t(Key::ReferralsPhone) }{ colon(lang) }
                                        <bdi dir="ltr">{ phone.clone() }</bdi>
                                    }
                                    if let Some(address) = &g.address {
                                        <br />{ t(Key::ReferralsAddress) }{ colon(lang) }<bdi>{ address.clone() }</bdi>
                                    }
                                </li>
                            }) }
                        </ul>
                    }
                </section>
            }
            if let Some(h) = &s.health {
                <section id="snapshot-health" class="referrals-group">
                    <h3>{ t(Key::ReferralsGroupHealth) }</h3>
                    { objectives(ctx, &h.objectives) }
                    if !h.services.is_empty() {
                        <h4>{ t(Key::ReferralsServicesDelivered) }</h4>
                        <ul>
                            { for h.services.iter().map(|sv| html! {
                                <li>{ lists::label(types, lang, &sv.service_type) }{ " · " }
                                    { datetime(lang, &sv.delivered_at) }</li>
                            }) }
                        </ul>
                    }
                </section>
            }
            if let Some(n) = &s.narrative {
                <section id="snapshot-narrative" class="referrals-group">
                    <h3>{ t(Key::ReferralsGroupNarrative) }</h3>
                    { for n.iter().map(|text| html! { <p><bdi>{ text.clone() }</bdi></p> }) }
                </section>
            }
            if let Some(si) = &s.situation {
                <section id="snapshot-situation" class="referrals-group">
                    <h3>{ t(Key::ReferralsGroupSituation) }</h3>
                    <dl class="referrals-facts">
                        if !si.situation.is_empty() {
                            { fact(t(Key::ReferralsSituation), html! { { codes(ctx, "concern_types", &si.situation) } }) }
                        }
                        if !si.concerns.is_empty() {
                            { fact(t(Key::ReferralsConcerns), html! { { codes(ctx, "concern_types", &si.concerns) } }) }
                        }
                        if let Some(level) = &si.risk_level {
                            { fact(t(Key::ReferralsRiskLevel), html! { { v.label_of(lang, "risk_levels", level) } }) }
                        }
                        if let Some(f) = &si.family_situation {
                            { fact(t(Key::ReferralsFamilySituation), html! { <bdi>{ f.clone() }</bdi> }) }
                        }
                    </dl>
                </section>
            }
            if let Some(e) = &s.education {
                <section id="snapshot-education" class="referrals-group">
                    <h3>{ t(Key::ReferralsGroupEducation) }</h3>
                    if let Some(school) = &e.schooling {
                        <dl class="referrals-facts">
                            { fact(t(Key::ReferralsSchooling), html! { <bdi>{ school.clone() }</bdi> }) }
                        </dl>
                    }
                    { objectives(ctx, &e.objectives) }
                </section>
            }
        </section>
    }
}
