//! A child's consents: the list (withdraw an active one, with a reason) and a form to record a
//! guardian's consent: who gave it, to whom (organization codes or types), which groups of
//! data, for what purpose, until when.
use madar_openapi::consents::{
    ConsentRelationship, ConsentResponse, ConsentStatus, CreateConsent, FieldGroup, WithdrawConsent,
};
use madar_openapi::{Language, Page};
use validator::Validate;
use yew::platform::spawn_local;
use yew::prelude::*;

use super::super::case::form::{
    checked, non_blank, now, options, set_area, set_select, set_text, submit, use_organizations,
    Outcome,
};
use super::super::case::referrals::{group_label, GROUPS};
use crate::api::{self, ApiError};
use crate::components::widgets::{datetime, Loading, ProblemMessage};
use crate::i18n::{self, Key};
use crate::state::{AppContext, Vocabulary};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub child_id: String,
    /// Changes when the file is read again (after a merge: the duplicate's consents moved).
    #[prop_or_default]
    pub version: u32,
}

const RELATIONSHIPS: [ConsentRelationship; 4] = [
    ConsentRelationship::Parent,
    ConsentRelationship::Relative,
    ConsentRelationship::ChildSelf,
    ConsentRelationship::Other,
];

fn relationship(lang: Language, r: &ConsentRelationship) -> &'static str {
    match r {
        ConsentRelationship::ChildSelf => i18n::t(lang, Key::ChildConsentChildSelf),
        ConsentRelationship::Parent => i18n::t(lang, Key::ChildConsentParent),
        ConsentRelationship::Relative => i18n::t(lang, Key::ChildConsentRelative),
        ConsentRelationship::Other => i18n::t(lang, Key::ChildConsentOther),
    }
}

fn status(lang: Language, s: &ConsentStatus) -> &'static str {
    match s {
        ConsentStatus::Active => i18n::t(lang, Key::ChildConsentActive),
        ConsentStatus::Withdrawn => i18n::t(lang, Key::ChildConsentWithdrawn),
        ConsentStatus::Expired => i18n::t(lang, Key::ChildConsentExpired),
    }
}

/// The recipients with `code` added once (at most 20, as the API allows).
pub fn add_recipient(list: &[String], code: &str) -> Vec<String> {
    let mut next = list.to_vec();
    if !code.is_empty() && !next.iter().any(|c| c == code) && next.len() < 20 {
        next.push(code.to_owned());
    }
    next
}

/// A date (`YYYY-MM-DD`) at midday UTC.
fn day(text: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    text.parse::<chrono::NaiveDate>()
        .ok()
        .and_then(|d| d.and_hms_opt(12, 0, 0))
        .map(|d| d.and_utc())
}

/// An organization's name, an organization type's label, or the code.
fn recipient_name(
    lang: Language,
    vocabulary: &Vocabulary,
    organizations: &[(String, String)],
    code: &str,
) -> String {
    organizations
        .iter()
        .find(|(c, _)| c == code)
        .map(|(_, name)| name.clone())
        .unwrap_or_else(|| vocabulary.label(lang, "organization_types", code))
}

#[function_component(ConsentsSection)]
pub fn consents_section(props: &Props) -> Html {
    let ctx = use_context::<AppContext>();
    let list = use_state(|| None::<Result<Vec<ConsentResponse>, ApiError>>);
    let version = use_state(|| 0_u32);
    let given_by = use_state(String::new);
    let rel = use_state(|| "parent".to_owned());
    let given_at = use_state(|| now().date_naive().to_string());
    let recipients = use_state(Vec::<String>::new);
    let organizations = use_organizations(ctx.as_ref().map(|c| c.lang).unwrap_or_default());
    let groups = use_state(Vec::<FieldGroup>::new);
    let purpose = use_state(String::new);
    let expires = use_state(String::new);
    let outcome = use_state(Outcome::default);
    let withdrawing = use_state(|| None::<String>);
    let withdraw_reason = use_state(String::new);
    let withdraw_outcome = use_state(Outcome::default);
    {
        let list = list.clone();
        let key = (props.child_id.clone(), *version, props.version);
        use_effect_with(key, move |(id, _, _)| {
            let path = format!("/children/{id}/consents?limit=100");
            spawn_local(async move {
                list.set(Some(
                    api::get::<Page<ConsentResponse>>(&path)
                        .await
                        .map(|p| p.items),
                ));
            });
        });
    }
    let Some(ctx) = ctx else {
        return Html::default();
    };
    let lang = ctx.lang;
    let onsubmit = {
        let (given_by, rel, given_at, recipients, groups, purpose, expires, outcome, version) = (
            given_by.clone(),
            rel.clone(),
            given_at.clone(),
            recipients.clone(),
            groups.clone(),
            purpose.clone(),
            expires.clone(),
            outcome.clone(),
            version.clone(),
        );
        let child_id = props.child_id.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let relationship = crate::json::code::<ConsentRelationship>(&rel);
            let expires_at = match non_blank(&expires) {
                Some(text) => match day(&text) {
                    Some(d) => Some(d),
                    None => {
                        outcome.set(Outcome::Invalid(
                            i18n::t(lang, Key::ChildConsentIncomplete).to_owned(),
                        ));
                        return;
                    }
                },
                None => None,
            };
            let (Some(relationship), Some(given_at)) = (relationship, day(&given_at)) else {
                outcome.set(Outcome::Invalid(
                    i18n::t(lang, Key::ChildConsentIncomplete).to_owned(),
                ));
                return;
            };
            let body = CreateConsent {
                given_by: given_by.trim().to_owned(),
                relationship,
                given_at: given_at.min(now()),
                recipients: (*recipients).clone(),
                field_groups: (*groups).clone(),
                purpose: purpose.trim().to_owned(),
                expires_at,
            };
            if body.validate().is_err() {
                outcome.set(Outcome::Invalid(
                    i18n::t(lang, Key::ChildConsentIncomplete).to_owned(),
                ));
                return;
            }
            outcome.set(Outcome::Busy);
            let (outcome, version, path) = (
                outcome.clone(),
                version.clone(),
                format!("/children/{child_id}/consents"),
            );
            let (given_by, purpose, recipients, groups) = (
                given_by.clone(),
                purpose.clone(),
                recipients.clone(),
                groups.clone(),
            );
            spawn_local(async move {
                match api::post::<_, ConsentResponse>(&path, &body).await {
                    Ok(_) => {
                        outcome.set(Outcome::Done(
                            i18n::t(lang, Key::ChildConsentSaved).to_owned(),
                        ));
                        given_by.set(String::new());
                        purpose.set(String::new());
                        recipients.set(Vec::new());
                        groups.set(Vec::new());
                        version.set(version.wrapping_add(1));
                    }
                    Err(e) => outcome.set(Outcome::Failed(e)),
                }
            });
        })
    };
    let on_withdraw = {
        let (withdrawing, withdraw_reason, withdraw_outcome, version) = (
            withdrawing.clone(),
            withdraw_reason.clone(),
            withdraw_outcome.clone(),
            version.clone(),
        );
        let child_id = props.child_id.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(id) = (*withdrawing).clone() else {
                return;
            };
            let body = WithdrawConsent {
                reason: non_blank(&withdraw_reason),
            };
            if body.validate().is_err() {
                withdraw_outcome.set(Outcome::Invalid(
                    i18n::t(lang, Key::ChildConsentIncomplete).to_owned(),
                ));
                return;
            }
            withdraw_outcome.set(Outcome::Busy);
            let (withdrawing, withdraw_outcome, version, reason) = (
                withdrawing.clone(),
                withdraw_outcome.clone(),
                version.clone(),
                withdraw_reason.clone(),
            );
            let path = format!("/children/{child_id}/consents/{id}/withdraw");
            spawn_local(async move {
                match api::post::<_, ConsentResponse>(&path, &body).await {
                    Ok(_) => {
                        withdraw_outcome.set(Outcome::Done(
                            i18n::t(lang, Key::ChildConsentWithdrawnDone).to_owned(),
                        ));
                        withdrawing.set(None);
                        reason.set(String::new());
                        version.set(version.wrapping_add(1));
                    }
                    Err(e) => withdraw_outcome.set(Outcome::Failed(e)),
                }
            });
        })
    };
    let on_add = {
        let recipients = recipients.clone();
        Callback::from(move |e: Event| {
            let select = e.target_unchecked_into::<web_sys::HtmlSelectElement>();
            recipients.set(add_recipient(&recipients, &select.value()));
            select.set_value("");
        })
    };
    let rels: Vec<(String, String)> = RELATIONSHIPS
        .iter()
        .map(|r| (Vocabulary::code_of(r), relationship(lang, r).to_owned()))
        .collect();
    let listing = match &*list {
        None => html! { <Loading busy=true /> },
        Some(Err(e)) => html! { <ProblemMessage error={e.clone()} /> },
        Some(Ok(items)) if items.is_empty() => {
            html! { <p class="empty">{ i18n::t(lang, Key::ChildNoConsents) }</p> }
        }
        Some(Ok(items)) => html! {
            <ul id="consents" class="child-consents">
                { for items.iter().map(|c| {
                    let id = c.id.to_string();
                    let groups = c.field_groups.iter().map(|g| group_label(lang, g)).collect::<Vec<_>>().join("، ");
                    let open = withdrawing.as_deref() == Some(id.as_str());
                    html! {
                        <li class={classes!("child-consent", Vocabulary::code_of(&c.status))} data-id={id.clone()}>
                            <p><strong><bdi>{ c.given_by.clone() }</bdi></strong>{ " · " }{ relationship(lang, &c.relationship) }
                                { " · " }{ datetime(lang, &c.given_at) }
                                { " · " }<span class="child-badge">{ status(lang, &c.status) }</span></p>
                            <p>{ i18n::t(lang, Key::ChildConsentTo) }{ " " }
                                { for c.recipients.iter().map(|r| html! {
                                    <><bdi>{ recipient_name(lang, &ctx.vocabulary, &organizations, r) }</bdi>{ " " }</> }) }
                                { " · " }{ groups }</p>
                            <p class="child-text">{ c.purpose.clone() }</p>
                            if let Some(until) = &c.expires_at {
                                <p>{ i18n::t(lang, Key::ChildConsentUntil) }{ " " }{ datetime(lang, until) }</p>
                            }
                            if c.status == ConsentStatus::Active && !open {
                                <button type="button" class="secondary" id={format!("withdraw-{id}")}
                                    onclick={let (w, id) = (withdrawing.clone(), id.clone()); move |_| w.set(Some(id.clone()))}>
                                    { i18n::t(lang, Key::ChildWithdraw) }</button>
                            }
                            if open {
                                <form class="child-withdraw" onsubmit={on_withdraw.clone()}>
                                    <div class="field">
                                        <label for="withdraw-reason">{ i18n::t(lang, Key::ChildWithdrawReason) }</label>
                                        <textarea id="withdraw-reason" rows="2" value={(*withdraw_reason).clone()}
                                            oninput={set_area(&withdraw_reason)} />
                                    </div>
                                    { submit("withdraw-submit", i18n::t(lang, Key::ChildConfirmWithdraw), withdraw_outcome.busy()) }
                                    <button type="button" class="secondary"
                                        onclick={let w = withdrawing.clone(); move |_| w.set(None)}>
                                        { i18n::t(lang, Key::CaseCancel) }</button>
                                </form>
                            }
                        </li>
                    }
                }) }
            </ul>
        },
    };
    html! {
        <section class="card child-consents-section" aria-labelledby="consents-title">
            <h2 id="consents-title">{ i18n::t(lang, Key::ChildConsents) }</h2>
            { listing }
            { withdraw_outcome.view("withdraw-result") }
            <h3>{ i18n::t(lang, Key::ChildNewConsent) }</h3>
            <form id="consent-form" class="case-form" novalidate=true {onsubmit}>
                <div class="field">
                    <label for="consent-given-by">{ i18n::t(lang, Key::ChildGivenBy) }</label>
                    <input id="consent-given-by" value={(*given_by).clone()} oninput={set_text(&given_by)} />
                </div>
                <div class="field">
                    <label for="consent-relationship">{ i18n::t(lang, Key::ChildRelationship) }</label>
                    <select id="consent-relationship" onchange={set_select(&rel)}>{ options(&rels, &rel, None) }</select>
                </div>
                <div class="field">
                    <label for="consent-given-at">{ i18n::t(lang, Key::ChildGivenAt) }</label>
                    <input id="consent-given-at" type="date" value={(*given_at).clone()} oninput={set_text(&given_at)} />
                </div>
                <div class="field">
                    <label for="consent-recipient-add">{ i18n::t(lang, Key::ChildRecipients) }</label>
                    <ul id="consent-recipients" class="child-chips" aria-live="polite">
                        { for recipients.iter().map(|code| {
                            let name = recipient_name(lang, &ctx.vocabulary, &organizations, code);
                            let remove = {
                                let (recipients, code) = (recipients.clone(), code.clone());
                                Callback::from(move |_| recipients.set(recipients.iter().filter(|c| **c != code).cloned().collect()))
                            };
                            html! {
                                <li class="child-chip">
                                    <bdi>{ name.clone() }</bdi>
                                    <button type="button" class="child-chip-remove" onclick={remove}
                                        aria-label={i18n::tf(lang, Key::ChildRemoveRecipient, &[("name", &name)])}>{ "×" }</button>
                                </li>
                            }
                        }) }
                    </ul>
                    <select id="consent-recipient-add" aria-describedby="consent-recipients-hint" onchange={on_add}>
                        <option value="" selected=true>{ i18n::t(lang, Key::ChildAddRecipient) }</option>
                        <optgroup label={i18n::t(lang, Key::ChildRecipientTypes)}>
                            { for ctx.vocabulary.items(lang, "organization_types").into_iter().map(|(code, label)| html! {
                                <option value={code}>{ label }</option>
                            }) }
                        </optgroup>
                        <optgroup label={i18n::t(lang, Key::ChildRecipientOrganizations)}>
                            { for organizations.iter().map(|(code, name)| html! {
                                <option value={code.clone()}>{ name.clone() }</option>
                            }) }
                        </optgroup>
                    </select>
                    <p id="consent-recipients-hint" class="hint">{ i18n::t(lang, Key::ChildRecipientsHint) }</p>
                </div>
                <fieldset class="case-groups">
                    <legend>{ i18n::t(lang, Key::CaseFieldGroups) }</legend>
                    { for GROUPS.iter().map(|g| {
                        let code = Vocabulary::code_of(g);
                        let id = format!("consent-group-{code}");
                        let onchange = {
                            let (groups, g) = (groups.clone(), *g);
                            Callback::from(move |e: Event| {
                                let mut next: Vec<FieldGroup> = groups.iter().copied().filter(|x| *x != g).collect();
                                if checked(&e) { next.push(g) }
                                next.sort();
                                groups.set(next);
                            })
                        };
                        html! {
                            <div class="case-check">
                                <input type="checkbox" id={id.clone()} checked={groups.contains(g)} {onchange} />
                                <label for={id}>{ group_label(lang, g) }</label>
                            </div>
                        }
                    }) }
                </fieldset>
                <div class="field">
                    <label for="consent-purpose">{ i18n::t(lang, Key::ChildPurpose) }</label>
                    <textarea id="consent-purpose" rows="3" value={(*purpose).clone()} oninput={set_area(&purpose)} />
                </div>
                <div class="field">
                    <label for="consent-expires">{ i18n::t(lang, Key::ChildExpires) }</label>
                    <input id="consent-expires" type="date" value={(*expires).clone()} oninput={set_text(&expires)} />
                </div>
                { submit("consent-submit", i18n::t(lang, Key::ChildSaveConsent), outcome.busy()) }
            </form>
            { outcome.view("consent-result") }
        </section>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_recipient_is_added_once() {
        let one = super::add_recipient(&[], "ngo-rabat");
        assert_eq!(one, vec!["ngo-rabat"]);
        assert_eq!(super::add_recipient(&one, "ngo-rabat"), one);
        assert_eq!(super::add_recipient(&one, ""), one);
        assert_eq!(super::add_recipient(&one, "ngo").len(), 2);
    }
}
