//! A child's file: identity in both scripts, situation, family (guardians), placements,
//! consents (with a form to record a guardian's consent and a way to withdraw one), the
//! child's cases and, for coordinators, the possible duplicates (merged into this file, and
//! undone) and who read or changed the file.
mod consents;
mod duplicates;
mod merge;

use std::rc::Rc;

use madar_openapi::audit::ActorKind;
use madar_openapi::cases::{CaseResponse, PlacementResponse};
use madar_openapi::children::{ChildAccessEvent, ChildResponse, CivilStatus};
use madar_openapi::family::{GuardianRelationship, GuardianResponse};
use madar_openapi::users::Role;
use madar_openapi::{Language, Page};
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::Link;

use crate::api::{self, ApiError};
use crate::components::widgets::{child_names, date, datetime, Loading, ProblemMessage};
use crate::i18n::{self, Key};
use crate::route::Route;
use crate::state::{AppContext, Vocabulary};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub id: String,
}

struct File {
    child: Rc<ChildResponse>,
    guardians: Vec<GuardianResponse>,
    placements: Vec<PlacementResponse>,
    cases: Vec<CaseResponse>,
    access: Option<Vec<ChildAccessEvent>>,
}

async fn load(id: &str, coordinator: bool) -> Result<File, ApiError> {
    let child: ChildResponse = api::get(&format!("/children/{id}")).await?;
    let guardians = api::get(&format!("/children/{id}/guardians")).await?;
    let placements = api::get(&format!("/children/{id}/placements")).await?;
    let cases: Page<CaseResponse> = api::get(&format!("/children/{id}/cases?limit=100")).await?;
    let access = if coordinator {
        api::get::<Page<ChildAccessEvent>>(&format!("/children/{id}/access-log?limit=50"))
            .await
            .ok()
            .map(|p| p.items)
    } else {
        None
    };
    Ok(File {
        child: Rc::new(child),
        guardians,
        placements,
        cases: cases.items,
        access,
    })
}

#[function_component(ChildPage)]
pub fn child_page(props: &Props) -> Html {
    let ctx = use_context::<AppContext>();
    let file = use_state(|| None::<Result<Rc<File>, ApiError>>);
    // Bumped after a merge or its undoing: the file (cases, consents, access log) is read again.
    let version = use_state(|| 0_u32);
    let coordinator = ctx
        .as_ref()
        .and_then(|c| c.user.as_ref().map(|u| u.role == Role::Coordinator))
        .unwrap_or(false);
    {
        let file = file.clone();
        let key = (props.id.clone(), coordinator, *version);
        use_effect_with(key, move |(id, coordinator, _)| {
            let (id, coordinator) = (id.clone(), *coordinator);
            spawn_local(async move { file.set(Some(load(&id, coordinator).await.map(Rc::new))) });
        });
    }
    let Some(ctx) = ctx else {
        return Html::default();
    };
    let lang = ctx.lang;
    let on_change = {
        let version = version.clone();
        Callback::from(move |()| version.set(version.wrapping_add(1)))
    };
    let body = match &*file {
        None => html! { <Loading busy=true /> },
        Some(Err(e)) => html! { <ProblemMessage error={e.clone()} /> },
        Some(Ok(file)) => html! {
            <>
                { identity(lang, &ctx.vocabulary, &file.child) }
                { cases(lang, &ctx.vocabulary, &file.cases) }
                { family(lang, &file.guardians) }
                { placements(lang, &file.placements) }
                if coordinator {
                    <duplicates::Duplicates key={file.child.id.to_string()} child={file.child.clone()} {on_change} />
                }
                <consents::ConsentsSection child_id={props.id.clone()} version={*version} />
                if let Some(access) = &file.access {
                    { access_log(lang, access) }
                }
            </>
        },
    };
    html! {
        <section id="child" class="child" aria-labelledby="child-title">{ body }</section>
    }
}

fn fact(label: &str, value: Html) -> Html {
    html! { <div class="child-fact"><dt>{ label.to_owned() }</dt><dd>{ value }</dd></div> }
}

fn civil_status(lang: Language, s: &CivilStatus) -> &'static str {
    match s {
        CivilStatus::Registered => i18n::t(lang, Key::ChildCivilRegistered),
        CivilStatus::Unregistered => i18n::t(lang, Key::ChildCivilUnregistered),
        CivilStatus::Unknown => i18n::t(lang, Key::ChildCivilUnknown),
    }
}

/// A given and a family name as one (what is known of them).
fn joined(given: &Option<String>, family: &Option<String>) -> String {
    [given.as_deref(), family.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The date of birth, else the estimated year, else "unknown".
fn birth(lang: Language, c: &ChildResponse) -> String {
    match (&c.date_of_birth, c.estimated_birth_year) {
        (Some(d), _) => date(lang, d),
        (None, Some(y)) => i18n::tf(lang, Key::ChildEstimatedYear, &[("year", &y.to_string())]),
        (None, None) => i18n::t(lang, Key::ChildUnknown).to_owned(),
    }
}

fn identity(lang: Language, vocabulary: &Vocabulary, c: &ChildResponse) -> Html {
    let ar = joined(&c.given_name_ar, &c.family_name_ar);
    let latin = joined(&c.given_name_latin, &c.family_name_latin);
    let birth = birth(lang, c);
    let situation = c
        .situation
        .iter()
        .map(|s| vocabulary.label_of(lang, "concern_types", s))
        .collect::<Vec<_>>()
        .join("، ");
    let unknown = || html! { <span class="empty">{ i18n::t(lang, Key::ChildUnknown) }</span> };
    html! {
        <header class="card child-identity">
            <h1 id="child-title">
                if ar.is_empty() && latin.is_empty() {
                    // No name left: the record was anonymised at the end of its retention period.
                    <span class="empty">{ i18n::t(lang, Key::ChildAnonymised) }</span>
                } else {
                    { child_names(&c.given_name_ar, &c.family_name_ar,
                        &c.given_name_latin, &c.family_name_latin) }
                }
            </h1>
            <dl class="child-facts">
                { fact(i18n::t(lang, Key::ChildNameAr),
                    if ar.is_empty() { unknown() } else { html! { <bdi lang="ar" dir="rtl" id="child-name-ar">{ ar }</bdi> } }) }
                { fact(i18n::t(lang, Key::ChildNameLatin),
                    if latin.is_empty() { unknown() } else { html! { <bdi lang="fr" dir="ltr" id="child-name-latin">{ latin }</bdi> } }) }
                if !c.aliases.is_empty() {
                    { fact(i18n::t(lang, Key::ChildAliases), html! {
                        { for c.aliases.iter().map(|a| html! { <><bdi>{ a.clone() }</bdi>{ " " }</> }) } }) }
                }
                { fact(i18n::t(lang, Key::ChildSex), html! { { vocabulary.label_of(lang, "sexes", &c.sex) } }) }
                { fact(i18n::t(lang, Key::ChildBirth), html! { { birth } }) }
                { fact(i18n::t(lang, Key::ChildNationality), match &c.nationality {
                    Some(n) => html! { <bdi class="code">{ n.clone() }</bdi> },
                    None => unknown(),
                }) }
                { fact(i18n::t(lang, Key::ChildCivilStatus), html! { { civil_status(lang, &c.civil_status) } }) }
                { fact(i18n::t(lang, Key::ChildTerritory), html! { { vocabulary.territory(lang, &c.territory) } }) }
                { fact(i18n::t(lang, Key::ChildSituation),
                    if situation.is_empty() { unknown() } else { html! { { situation } } }) }
                if let Some(text) = &c.family_situation {
                    { fact(i18n::t(lang, Key::ChildFamilySituation), html! { <span class="child-text">{ text.clone() }</span> }) }
                }
                if let Some(text) = &c.schooling {
                    { fact(i18n::t(lang, Key::ChildSchooling), html! { <span class="child-text">{ text.clone() }</span> }) }
                }
            </dl>
        </header>
    }
}

fn cases(lang: Language, vocabulary: &Vocabulary, list: &[CaseResponse]) -> Html {
    html! {
        <section class="card" aria-labelledby="child-cases-title">
            <h2 id="child-cases-title">{ i18n::t(lang, Key::ChildCases) }</h2>
            if list.is_empty() {
                <p class="empty">{ i18n::t(lang, Key::ChildNoCases) }</p>
            } else {
                <ul id="child-cases" class="child-list">
                    { for list.iter().map(|c| html! {
                        <li>
                            <Link<Route> to={Route::Case { id: c.id.to_string() }}>
                                <bdi class="code">{ c.reference.clone() }</bdi></Link<Route>>
                            { " · " }{ vocabulary.label_of(lang, "case_stages", &c.stage) }
                            { " · " }{ vocabulary.label_of(lang, "risk_levels", &c.urgency) }
                            { " · " }{ datetime(lang, &c.opened_at) }
                        </li>
                    }) }
                </ul>
            }
        </section>
    }
}

fn relationship(lang: Language, r: &GuardianRelationship) -> &'static str {
    use GuardianRelationship as G;
    let key = match r {
        G::Mother => Key::ChildRelMother,
        G::Father => Key::ChildRelFather,
        G::Grandparent => Key::ChildRelGrandparent,
        G::Sibling => Key::ChildRelSibling,
        G::OtherRelative => Key::ChildRelOtherRelative,
        G::LegalGuardian => Key::ChildRelLegalGuardian,
        G::Kafil => Key::ChildRelKafil,
        G::FosterParent => Key::ChildRelFosterParent,
        G::Other => Key::ChildRelOther,
    };
    i18n::t(lang, key)
}

fn family(lang: Language, guardians: &[GuardianResponse]) -> Html {
    html! {
        <section class="card" aria-labelledby="child-family-title">
            <h2 id="child-family-title">{ i18n::t(lang, Key::ChildFamily) }</h2>
            if guardians.is_empty() {
                <p class="empty">{ i18n::t(lang, Key::ChildNoGuardians) }</p>
            } else {
                <div class="table-wrap">
                <table id="child-guardians">
                    <thead><tr>
                        <th scope="col">{ i18n::t(lang, Key::ChildRelationship) }</th>
                        <th scope="col">{ i18n::t(lang, Key::ChildGuardianName) }</th>
                        <th scope="col">{ i18n::t(lang, Key::ChildPhone) }</th>
                        <th scope="col">{ i18n::t(lang, Key::ChildLivesWith) }</th>
                    </tr></thead>
                    <tbody>
                    { for guardians.iter().map(|g| html! {
                        <tr>
                            <td>{ relationship(lang, &g.relationship) }
                                if g.primary { { " " }<span class="child-badge">{ i18n::t(lang, Key::ChildPrimary) }</span> }</td>
                            <td><bdi>{ g.name.clone() }</bdi></td>
                            <td><bdi dir="ltr" class="child-phone">{ g.phone.clone().unwrap_or_default() }</bdi></td>
                            <td>{ i18n::t(lang, if g.lives_with_child { Key::ChildYes } else { Key::ChildNo }) }</td>
                        </tr>
                    }) }
                    </tbody>
                </table>
                </div>
            }
        </section>
    }
}

fn placements(lang: Language, list: &[PlacementResponse]) -> Html {
    html! {
        <section class="card" aria-labelledby="child-placements-title">
            <h2 id="child-placements-title">{ i18n::t(lang, Key::ChildPlacements) }</h2>
            if list.is_empty() {
                <p class="empty">{ i18n::t(lang, Key::ChildNoPlacements) }</p>
            } else {
                <ul id="child-placements" class="child-list">
                    { for list.iter().map(|p| html! {
                        <li>
                            <bdi class="code">{ p.institution.clone() }</bdi>
                            { " · " }{ date(lang, &p.from) }{ " – " }
                            { p.to.as_ref().map(|d| date(lang, d)).unwrap_or_default() }
                            if p.current { { " " }<span class="child-badge">{ i18n::t(lang, Key::ChildCurrent) }</span> }
                            if p.turns_18_within_6_months {
                                { " " }<span class="child-badge child-warning">{ i18n::t(lang, Key::ChildTurns18) }</span>
                            }
                        </li>
                    }) }
                </ul>
            }
        </section>
    }
}

fn actor_kind(lang: Language, kind: &ActorKind) -> &'static str {
    match kind {
        ActorKind::User => i18n::t(lang, Key::ChildActorUser),
        ActorKind::Client => i18n::t(lang, Key::ChildActorClient),
        ActorKind::System => i18n::t(lang, Key::ChildActorSystem),
    }
}

/// What an audited action did, from the verb of its code (`child.read`, `consent.create`...).
fn access_label(lang: Language, action: &str) -> &'static str {
    let verb = action.rsplit('.').next().unwrap_or_default();
    let key = match verb {
        "read" => Key::ChildAccessRead,
        "create" | "link" | "send" | "open" => Key::ChildAccessCreate,
        "update" | "transition" | "screen" => Key::ChildAccessUpdate,
        "export" => Key::ChildAccessExport,
        "merge" | "merge_undo" => Key::ChildAccessMerge,
        "withdraw" | "delete" | "unlink" => Key::ChildAccessRemove,
        _ => Key::ChildAccessOther,
    };
    i18n::t(lang, key)
}

fn access_log(lang: Language, events: &[ChildAccessEvent]) -> Html {
    html! {
        <section class="card" aria-labelledby="child-access-title">
            <h2 id="child-access-title">{ i18n::t(lang, Key::ChildAccessLog) }</h2>
            if events.is_empty() {
                <p class="empty">{ i18n::t(lang, Key::ChildNoAccess) }</p>
            } else {
                <div class="table-wrap">
                <table id="child-access-log">
                    <thead><tr>
                        <th scope="col">{ i18n::t(lang, Key::ChildWhen) }</th>
                        <th scope="col">{ i18n::t(lang, Key::ChildWho) }</th>
                        <th scope="col">{ i18n::t(lang, Key::ChildWhat) }</th>
                    </tr></thead>
                    <tbody>
                    { for events.iter().map(|e| html! {
                        <tr>
                            <td>{ datetime(lang, &e.occurred_at) }</td>
                            <td>{ actor_kind(lang, &e.actor_kind) }{ " " }
                                <bdi class="code">{ e.actor_id.clone().unwrap_or_default() }</bdi></td>
                            <td>{ access_label(lang, &e.action) }{ " " }
                                <bdi class="code">{ e.action.clone() }</bdi></td>
                        </tr>
                    }) }
                    </tbody>
                </table>
                </div>
            }
        </section>
    }
}
