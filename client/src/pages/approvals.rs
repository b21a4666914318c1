//! The coordinator's approvals and transfer requests: pending approvals (closures, assessments,
//! plans) with a decision form each, and the transfers into the coordinator's territory to
//! accept or refuse. Both reload on live events and after each decision.
use madar_openapi::approvals::{ApprovalDecision, ApprovalKind, ApprovalResponse, DecideApproval};
use madar_openapi::cases::transfers::{DecideTransfer, TransferDecision, TransferResponse};
use madar_openapi::Language;
use validator::Validate;
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api::{self, ApiError};
use crate::components::widgets::{datetime, Loading, ProblemMessage};
use crate::i18n::{self, Key};
use crate::route::Route;
use crate::state::AppContext;

use super::case::form::{self, non_blank, Outcome};

pub mod paged;

use paged::{use_paged, Paged};

const PAGE: u32 = 20;

/// The label of an approval's kind.
pub fn kind_label(lang: Language, kind: ApprovalKind) -> &'static str {
    let key = match kind {
        ApprovalKind::Closure => Key::ApprovalsKindClosure,
        ApprovalKind::Assessment => Key::ApprovalsKindAssessment,
        ApprovalKind::Plan => Key::ApprovalsKindPlan,
    };
    i18n::t(lang, key)
}

/// A string field of a JSON object, when present and not blank.
pub fn text_field(value: &Option<serde_json::Value>, field: &str) -> Option<String> {
    value
        .as_ref()?
        .get(field)?
        .as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// The first 8 characters of an id, for people to tell records apart.
pub fn short_id(id: &impl ToString) -> String {
    id.to_string().chars().take(8).collect()
}

#[derive(Properties, PartialEq)]
pub struct CaseRefProps {
    pub id: String,
}

/// A case's reference (`CASE-…`), read from the API once; the id's start until it comes.
#[function_component(CaseRef)]
pub fn case_ref(props: &CaseRefProps) -> Html {
    let reference = use_state(|| None::<String>);
    {
        let reference = reference.clone();
        use_effect_with(props.id.clone(), move |id| {
            let path = format!("/cases/{id}");
            spawn_local(async move {
                if let Ok(case) = api::get::<madar_openapi::cases::CaseResponse>(&path).await {
                    reference.set(Some(case.reference));
                }
            });
        });
    }
    let text = (*reference)
        .clone()
        .unwrap_or_else(|| props.id.chars().take(8).collect());
    html! { <bdi class="code approvals-reference">{ text }</bdi> }
}

/// One "label: value" line of a card.
fn line(lang: Language, label: Key, value: Html) -> Html {
    html! {
        <div class="approvals-line">
            <dt>{ i18n::t(lang, label) }</dt>
            <dd>{ value }</dd>
        </div>
    }
}

/// A text as given by a person (isolated, kept in its own direction).
fn given_text(text: String) -> Html {
    html! { <bdi class="approvals-text">{ text }</bdi> }
}

/// What the decision form decides.
#[derive(Clone, PartialEq)]
pub enum Target {
    Approval(String),
    Transfer(String),
}

impl Target {
    fn prefix(&self) -> String {
        match self {
            Target::Approval(id) => format!("approval-{id}"),
            Target::Transfer(id) => format!("transfer-{id}"),
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct DecideProps {
    pub target: Target,
    /// Called after a decision was recorded, or refused because it was already decided or the
    /// case changed (409): the page shows the outcome and the lists reload.
    pub on_done: Callback<Outcome>,
}

/// Approve / reject (or accept / refuse) with an optional comment.
#[function_component(DecisionForm)]
pub fn decision_form(props: &DecideProps) -> Html {
    let ctx = use_context::<AppContext>();
    let comment = use_state(String::new);
    let outcome = use_state(Outcome::default);
    let Some(ctx) = ctx else {
        return Html::default();
    };
    let lang = ctx.lang;
    let prefix = props.target.prefix();
    let decide = |positive: bool| {
        let (target, comment, outcome, on_done) = (
            props.target.clone(),
            comment.clone(),
            outcome.clone(),
            props.on_done.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            if outcome.busy() {
                return;
            }
            let text = non_blank(&comment);
            let (outcome, on_done) = (outcome.clone(), on_done.clone());
            let done_key = match (&target, positive) {
                (Target::Approval(_), true) => Key::ApprovalsApproved,
                (Target::Approval(_), false) => Key::ApprovalsRejected,
                (Target::Transfer(_), true) => Key::ApprovalsTransferAccepted,
                (Target::Transfer(_), false) => Key::ApprovalsTransferRefused,
            };
            let call = match &target {
                Target::Approval(id) => {
                    let body = DecideApproval {
                        decision: if positive {
                            ApprovalDecision::Approve
                        } else {
                            ApprovalDecision::Reject
                        },
                        comment: text,
                    };
                    if body.validate().is_err() {
                        outcome.set(Outcome::Invalid(
                            i18n::t(lang, Key::ApprovalsCommentInvalid).to_owned(),
                        ));
                        return;
                    }
                    let path = format!("/approvals/{id}/decision");
                    Box::pin(async move {
                        api::post::<_, ApprovalResponse>(&path, &body)
                            .await
                            .map(|_| ())
                    })
                        as std::pin::Pin<
                            Box<dyn std::future::Future<Output = Result<(), ApiError>>>,
                        >
                }
                Target::Transfer(id) => {
                    let body = DecideTransfer {
                        decision: if positive {
                            TransferDecision::Accept
                        } else {
                            TransferDecision::Reject
                        },
                        comment: text,
                    };
                    if body.validate().is_err() {
                        outcome.set(Outcome::Invalid(
                            i18n::t(lang, Key::ApprovalsCommentInvalid).to_owned(),
                        ));
                        return;
                    }
                    let path = format!("/transfers/{id}/decision");
                    Box::pin(async move {
                        api::post::<_, TransferResponse>(&path, &body)
                            .await
                            .map(|_| ())
                    })
                }
            };
            outcome.set(Outcome::Busy);
            spawn_local(async move {
                match call.await {
                    Ok(()) => {
                        outcome.set(Outcome::Idle);
                        on_done.emit(Outcome::Done(i18n::t(lang, done_key).to_owned()));
                    }
                    Err(e) if e.status() == Some(409) => {
                        outcome.set(Outcome::Idle);
                        on_done.emit(Outcome::Failed(e));
                    }
                    Err(e) => outcome.set(Outcome::Failed(e)),
                }
            });
        })
    };
    let busy = outcome.busy();
    let dots = if busy { "…" } else { "" };
    let (yes, no) = match props.target {
        Target::Approval(_) => (Key::ApprovalsApprove, Key::ApprovalsReject),
        Target::Transfer(_) => (Key::ApprovalsAccept, Key::ApprovalsRefuse),
    };
    let comment_id = format!("{prefix}-comment");
    html! {
        <div class="approvals-decide">
            <div class="field">
                <label for={comment_id.clone()}>{ i18n::t(lang, Key::ApprovalsComment) }</label>
                <textarea id={comment_id} rows="2" maxlength="2000" value={(*comment).clone()}
                    oninput={form::set_area(&comment)} disabled={busy} />
            </div>
            <div class="approvals-buttons">
                <button type="button" class="primary" id={format!("{prefix}-yes")}
                    disabled={busy} aria-busy={busy.to_string()} onclick={decide(true)}>
                    { i18n::t(lang, yes) }{ dots }
                </button>
                <button type="button" class="secondary" id={format!("{prefix}-no")}
                    disabled={busy} onclick={decide(false)}>
                    { i18n::t(lang, no) }{ dots }
                </button>
            </div>
            { outcome.view(&format!("{prefix}-result")) }
        </div>
    }
}

/// The "more" button and its error under a paged list.
fn more_button<T: Clone>(lang: Language, id: &str, paged: &Paged<T>) -> Html {
    let has_more = matches!(&paged.listing, Some(Ok(l)) if l.next_cursor.is_some());
    let onclick = paged.load_more.reform(|_: MouseEvent| ());
    html! {
        <>
            if has_more {
                <button type="button" class="secondary" id={id.to_owned()}
                    disabled={paged.loading_more} {onclick}>
                    { i18n::t(lang, Key::ApprovalsMore) }{ if paged.loading_more { "…" } else { "" } }
                </button>
            }
            if let Some(e) = &paged.more_error {
                <ProblemMessage error={e.clone()} />
            }
        </>
    }
}

fn approval_card(
    ctx: &AppContext,
    approval: &ApprovalResponse,
    on_done: &Callback<Outcome>,
) -> Html {
    let lang = ctx.lang;
    let vocabulary = &ctx.vocabulary;
    let request = Some(approval.request.clone());
    let stage = text_field(&request, "to");
    let reason_code = text_field(&request, "closure_reason");
    let reason = text_field(&approval.request_text, "reason");
    let note = text_field(&approval.request_text, "outcome_note");
    let case_link = html! {
        <Link<Route> to={Route::Case { id: approval.case_id.to_string() }} classes="approvals-case">
            <CaseRef id={approval.case_id.to_string()} />
        </Link<Route>>
    };
    html! {
        <li class="card approvals-card" id={format!("approval-{}", approval.id)}
            data-kind={crate::state::Vocabulary::code_of(&approval.kind)}>
            <h3 class="approvals-kind">{ kind_label(lang, approval.kind) }</h3>
            <dl class="approvals-facts">
                { line(lang, Key::ApprovalsCase, case_link) }
                if let Some(stage) = stage {
                    { line(lang, Key::ApprovalsTo, html! { vocabulary.label(lang, "case_stages", &stage) }) }
                }
                if let Some(code) = reason_code {
                    { line(lang, Key::ApprovalsClosureReason, html! { vocabulary.label(lang, "closure_reasons", &code) }) }
                }
                if let Some(reason) = reason {
                    { line(lang, Key::ApprovalsReason, given_text(reason)) }
                }
                if let Some(note) = note {
                    { line(lang, Key::ApprovalsOutcomeNote, given_text(note)) }
                }
                { line(lang, Key::ApprovalsRequestedBy, html! {
                    <bdi class="code" title={approval.requested_by.to_string()}>{ short_id(&approval.requested_by) }</bdi>
                }) }
                { line(lang, Key::ApprovalsRequestedAt, html! { datetime(lang, &approval.requested_at) }) }
            </dl>
            <DecisionForm target={Target::Approval(approval.id.to_string())} on_done={on_done.clone()} />
        </li>
    }
}

fn organization(organizations: &[(String, String)], code: &str) -> String {
    organizations
        .iter()
        .find(|(c, _)| c == code)
        .map(|(_, name)| name.clone())
        .unwrap_or_else(|| code.to_owned())
}

fn transfer_card(
    ctx: &AppContext,
    organizations: &[(String, String)],
    transfer: &TransferResponse,
    on_done: &Callback<Outcome>,
) -> Html {
    let lang = ctx.lang;
    let case_link = html! {
        <Link<Route> to={Route::Case { id: transfer.case_id.to_string() }} classes="approvals-case">
            <bdi class="code">{ transfer.case_reference.clone() }</bdi>
        </Link<Route>>
    };
    html! {
        <li class="card approvals-card" id={format!("transfer-{}", transfer.id)}>
            <h3 class="approvals-kind">{ i18n::t(lang, Key::ApprovalsTransfer) }</h3>
            <dl class="approvals-facts">
                { line(lang, Key::ApprovalsCase, case_link) }
                { line(lang, Key::ApprovalsFrom, html! {
                    <>{ organization(organizations, &transfer.from_organization) }{ " — " }
                    { ctx.vocabulary.territory(lang, &transfer.from_territory) }</>
                }) }
                { line(lang, Key::ApprovalsInto, html! {
                    <>{ organization(organizations, &transfer.to_organization) }{ " — " }
                    { ctx.vocabulary.territory(lang, &transfer.territory) }</>
                }) }
                if let Some(reason) = transfer.reason.clone() {
                    { line(lang, Key::ApprovalsReason, given_text(reason)) }
                }
                { line(lang, Key::ApprovalsRequestedAt, html! { datetime(lang, &transfer.requested_at) }) }
            </dl>
            <DecisionForm target={Target::Transfer(transfer.id.to_string())} on_done={on_done.clone()} />
        </li>
    }
}

fn list_view<T: Clone>(
    lang: Language,
    id: &str,
    empty: Key,
    paged: &Paged<T>,
    card: impl Fn(&T) -> Html,
) -> Html {
    match &paged.listing {
        None => html! { <Loading busy=true /> },
        Some(Err(e)) => html! { <ProblemMessage error={e.clone()} /> },
        Some(Ok(listing)) if listing.items.is_empty() => html! {
            <p class="empty" id={format!("{id}-empty")}>{ i18n::t(lang, empty) }</p>
        },
        Some(Ok(listing)) => html! {
            <>
                <ul class="approvals-list" id={id.to_owned()}>
                    { for listing.items.iter().map(&card) }
                </ul>
                { more_button(lang, &format!("{id}-more"), paged) }
            </>
        },
    }
}

#[function_component(ApprovalsPage)]
pub fn approvals_page() -> Html {
    let ctx = use_context::<AppContext>();
    let live = ctx.as_ref().map(|c| c.live_version).unwrap_or_default();
    let lang = ctx.as_ref().map(|c| c.lang).unwrap_or_default();
    let reload = use_state(|| 0u64);
    let last = use_state(Outcome::default);
    let key = live.wrapping_add(*reload);
    let approvals =
        use_paged::<ApprovalResponse>(format!("/approvals?status=pending&limit={PAGE}"), key);
    let transfers = use_paged::<TransferResponse>(
        format!("/transfers?direction=incoming&status=pending&limit={PAGE}"),
        key,
    );
    let organizations = form::use_organizations(lang);
    let Some(ctx) = ctx else {
        return Html::default();
    };
    let on_done = {
        let (reload, last) = (reload.clone(), last.clone());
        Callback::from(move |outcome: Outcome| {
            last.set(outcome);
            reload.set(reload.wrapping_add(1));
        })
    };
    let conflict = matches!(&*last, Outcome::Failed(e) if e.status() == Some(409));
    html! {
        <section id="approvals" class="approvals">
            <h1>{ i18n::t(lang, Key::ApprovalsTitle) }</h1>
            <p class="approvals-intro">{ i18n::t(lang, Key::ApprovalsIntro) }</p>
            { last.view("approvals-result") }
            if conflict {
                <p class="approvals-hint" id="approvals-conflict">{ i18n::t(lang, Key::ApprovalsConflictHint) }</p>
            }
            <section class="approvals-section" aria-labelledby="approvals-pending-title">
                <h2 id="approvals-pending-title">{ i18n::t(lang, Key::ApprovalsPending) }</h2>
                { list_view(lang, "approvals-list", Key::ApprovalsNone, &approvals,
                    |a| approval_card(&ctx, a, &on_done)) }
            </section>
            <section class="approvals-section" aria-labelledby="approvals-transfers-title">
                <h2 id="approvals-transfers-title">{ i18n::t(lang, Key::ApprovalsTransfers) }</h2>
                { list_view(lang, "transfers-list", Key::ApprovalsNoTransfers, &transfers,
                    |t| transfer_card(&ctx, &organizations, t, &on_done)) }
            </section>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_fields_are_read_trimmed() {
        let v = Some(serde_json::json!({"reason": "  done ", "empty": " ", "n": 3}));
        assert_eq!(text_field(&v, "reason").as_deref(), Some("done"));
        assert_eq!(text_field(&v, "empty"), None);
        assert_eq!(text_field(&v, "n"), None);
        assert_eq!(text_field(&None, "reason"), None);
    }
}
