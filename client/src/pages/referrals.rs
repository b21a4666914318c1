//! Referrals: the inbox of incoming referrals and the outgoing ones, by status, paged, reloaded
//! on each live event.
use madar_openapi::consents::FieldGroup;
use madar_openapi::referrals::{ReferralDirection, ReferralOutcome, ReferralResponse};
use madar_openapi::users::Role;
use madar_openapi::{Language, Page};
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api::{self, ApiError};
use crate::components::widgets::{datetime, Loading, ProblemMessage};
use crate::i18n::{self, Key};
use crate::route::Route;
use crate::state::{AppContext, Vocabulary};

pub mod lists;
pub mod logic;

use lists::{organization_name, use_organizations, use_reference_list, Items, Organizations};
use logic::{excerpt, list_path};

const PAGE: u32 = 25;

/// The separator after a label: French puts a space before the colon.
pub fn colon(lang: Language) -> &'static str {
    if lang == Language::Fr {
        " : "
    } else {
        ": "
    }
}

pub fn group_label(lang: Language, group: &FieldGroup) -> &'static str {
    let key = match group {
        FieldGroup::Identity => Key::ReferralsGroupIdentity,
        FieldGroup::Contact => Key::ReferralsGroupContact,
        FieldGroup::Health => Key::ReferralsGroupHealth,
        FieldGroup::Narrative => Key::ReferralsGroupNarrative,
        FieldGroup::Situation => Key::ReferralsGroupSituation,
        FieldGroup::Education => Key::ReferralsGroupEducation,
    };
    i18n::t(lang, key)
}

pub fn outcome_label(lang: Language, outcome: &ReferralOutcome) -> &'static str {
    let key = match outcome {
        ReferralOutcome::Achieved => Key::ReferralsOutcomeAchieved,
        ReferralOutcome::PartiallyAchieved => Key::ReferralsOutcomePartiallyAchieved,
        ReferralOutcome::NotAchieved => Key::ReferralsOutcomeNotAchieved,
    };
    i18n::t(lang, key)
}

/// "Data shared: identity, contact".
pub fn groups_text(lang: Language, groups: &[FieldGroup]) -> String {
    let names: Vec<&str> = groups.iter().map(|g| group_label(lang, g)).collect();
    let sep = if lang == Language::Ar { "، " } else { ", " };
    i18n::tf(
        lang,
        Key::ReferralsGroupsShared,
        &[("groups", &names.join(sep))],
    )
}

/// A referral's status as a badge (its code in `data-status` for tests and styles).
pub fn status_badge(lang: Language, vocabulary: &Vocabulary, referral: &ReferralResponse) -> Html {
    let code = Vocabulary::code_of(&referral.status);
    let class = classes!("badge", "referrals-status", code.clone());
    html! {
        <span {class} data-status={code}>
            { vocabulary.label_of(lang, "referral_statuses", &referral.status) }
        </span>
    }
}

/// The service type's label (from `/reference/service_types`).
pub fn service_label(types: &Option<Items>, lang: Language, referral: &ReferralResponse) -> String {
    lists::label(types, lang, &Vocabulary::code_of(&referral.service_type))
}

#[derive(Clone)]
struct Listing {
    items: Vec<ReferralResponse>,
    next_cursor: Option<String>,
}

#[function_component(ReferralsPage)]
pub fn referrals_page() -> Html {
    let ctx = use_context::<AppContext>();
    let role = ctx.as_ref().and_then(|c| c.user.as_ref().map(|u| u.role));
    let live = ctx.as_ref().map(|c| c.live_version).unwrap_or_default();
    let direction = use_state(|| match role {
        Some(Role::CaseWorker) => ReferralDirection::Outgoing,
        _ => ReferralDirection::Incoming,
    });
    let status = use_state(String::new);
    let listing = use_state(|| None::<Result<Listing, ApiError>>);
    let more = use_state(|| None::<Result<(), ApiError>>);
    let loading_more = use_state(|| false);
    let types = use_reference_list("service_types");
    let organizations = use_organizations();
    {
        let listing = listing.clone();
        let more = more.clone();
        use_effect_with(
            (*direction, (*status).clone(), live),
            move |(direction, status, _)| {
                let path = list_path(*direction, Some(status), PAGE, None);
                spawn_local(async move {
                    let answer = api::get::<Page<ReferralResponse>>(&path).await;
                    more.set(None);
                    listing.set(Some(answer.map(|p| Listing {
                        items: p.items,
                        next_cursor: p.next_cursor,
                    })));
                });
            },
        );
    }
    let Some(ctx) = ctx else {
        return Html::default();
    };
    let lang = ctx.lang;

    let tab = |which: ReferralDirection, id: &'static str, key: Key| {
        let selected = *direction == which;
        let onclick = {
            let direction = direction.clone();
            let listing = listing.clone();
            Callback::from(move |_| {
                if *direction != which {
                    listing.set(None);
                    direction.set(which);
                }
            })
        };
        html! {
            <button type="button" role="tab" {id} aria-selected={selected.to_string()}
                class={classes!("referrals-tab", selected.then_some("selected"))} {onclick}>
                { i18n::t(lang, key) }
            </button>
        }
    };
    let on_status = {
        let status = status.clone();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                status.set(select.value());
            }
        })
    };
    let on_more = {
        let (listing, more, loading_more) = (listing.clone(), more.clone(), loading_more.clone());
        let (direction, status) = (*direction, (*status).clone());
        Callback::from(move |_| {
            let Some(Ok(current)) = (*listing).clone() else {
                return;
            };
            let Some(cursor) = current.next_cursor.clone() else {
                return;
            };
            let path = list_path(direction, Some(&status), PAGE, Some(&cursor));
            let (listing, more, loading_more) =
                (listing.clone(), more.clone(), loading_more.clone());
            loading_more.set(true);
            spawn_local(async move {
                match api::get::<Page<ReferralResponse>>(&path).await {
                    Ok(page) => {
                        let mut items = current.items;
                        items.extend(page.items);
                        listing.set(Some(Ok(Listing {
                            items,
                            next_cursor: page.next_cursor,
                        })));
                        more.set(None);
                    }
                    Err(e) => more.set(Some(Err(e))),
                }
                loading_more.set(false);
            });
        })
    };

    let body = match &*listing {
        None => html! { <Loading busy=true /> },
        Some(Err(e)) => html! { <ProblemMessage error={e.clone()} /> },
        Some(Ok(listing)) if listing.items.is_empty() => {
            html! { <p id="referrals-empty" class="empty">{ i18n::t(lang, Key::ReferralsEmpty) }</p> }
        }
        Some(Ok(listing)) => html! {
            <>
                { table(&ctx, &types, &organizations, *direction, &listing.items) }
                if let Some(Err(e)) = &*more { <ProblemMessage error={e.clone()} /> }
                if listing.next_cursor.is_some() {
                    <button id="referrals-more" type="button" class="secondary"
                        disabled={*loading_more} onclick={on_more}>
                        { if *loading_more { i18n::t(lang, Key::Loading) }
                          else { i18n::t(lang, Key::ReferralsMore) } }
                    </button>
                }
            </>
        },
    };
    html! {
        <section id="referrals" class="referrals" aria-labelledby="referrals-title">
            <h1 id="referrals-title">{ i18n::t(lang, Key::ReferralsTitle) }</h1>
            <p class="intro">{ i18n::t(lang, Key::ReferralsIntro) }</p>
            <div class="referrals-bar">
                <div class="referrals-tabs" role="tablist"
                    aria-label={i18n::t(lang, Key::ReferralsTabsLabel)}>
                    { tab(ReferralDirection::Incoming, "tab-incoming", Key::ReferralsIncoming) }
                    { tab(ReferralDirection::Outgoing, "tab-outgoing", Key::ReferralsOutgoing) }
                </div>
                <div class="field">
                    <label for="referrals-status">{ i18n::t(lang, Key::ReferralsStatus) }</label>
                    <select id="referrals-status" onchange={on_status}>
                        <option value="" selected={status.is_empty()}>
                            { i18n::t(lang, Key::ReferralsAllStatuses) }</option>
                        { for ctx.vocabulary.items(lang, "referral_statuses").into_iter().map(|(code, label)| {
                            let selected = *status == code;
                            html! { <option value={code} {selected}>{ label }</option> }
                        }) }
                    </select>
                </div>
            </div>
            <div class="card" role="tabpanel" aria-live="polite">{ body }</div>
        </section>
    }
}

fn table(
    ctx: &AppContext,
    types: &Option<Items>,
    organizations: &Option<Organizations>,
    direction: ReferralDirection,
    items: &[ReferralResponse],
) -> Html {
    let lang = ctx.lang;
    let other = match direction {
        ReferralDirection::Incoming => Key::ReferralsFrom,
        ReferralDirection::Outgoing => Key::ReferralsTo,
    };
    html! {
        <div class="table-wrap">
        <table id="referrals-list" class="referrals-list">
            <thead><tr>
                <th scope="col">{ i18n::t(lang, Key::ReferralsService) }</th>
                <th scope="col">{ i18n::t(lang, Key::ReferralsStatus) }</th>
                <th scope="col">{ i18n::t(lang, Key::ReferralsSummary) }</th>
                <th scope="col">{ i18n::t(lang, other) }</th>
                <th scope="col">{ i18n::t(lang, Key::ReferralsSentAt) }</th>
                <th scope="col">{ i18n::t(lang, Key::ReferralsRespondBy) }</th>
            </tr></thead>
            <tbody>
            { for items.iter().map(|r| {
                let code = match direction {
                    ReferralDirection::Incoming => &r.from_organization,
                    ReferralDirection::Outgoing => &r.to_organization,
                };
                let organization = organization_name(organizations, lang, code);
                html! {
                    <tr id={format!("referral-{}", r.id)}
                        class={classes!("urgency", Vocabulary::code_of(&r.urgency))}>
                        <td>
                            <Link<Route> to={Route::Referral { id: r.id.to_string() }}
                                classes="referrals-open">
                                { service_label(types, lang, r) }
                            </Link<Route>>
                            if let Some(reference) = &r.case_reference {
                                <br /><bdi class="code">{ reference.clone() }</bdi>
                            }
                        </td>
                        <td>{ status_badge(lang, &ctx.vocabulary, r) }</td>
                        <td class="referrals-summary">
                            <span class="badge">
                                { ctx.vocabulary.label_of(lang, "risk_levels", &r.urgency) }</span>
                            { " " }<bdi>{ excerpt(&r.reason, 90) }</bdi>
                            <br /><small>{ groups_text(lang, &r.field_groups) }</small>
                        </td>
                        <td><bdi>{ organization }</bdi></td>
                        <td><time datetime={r.sent_at.to_rfc3339()}>{ datetime(lang, &r.sent_at) }</time></td>
                        <td><time datetime={r.respond_by.to_rfc3339()}>{ datetime(lang, &r.respond_by) }</time></td>
                    </tr>
                }
            }) }
            </tbody>
        </table>
        </div>
    }
}
