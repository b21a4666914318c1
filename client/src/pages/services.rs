//! The service directory (دليل الخدمات): search by name and filter by territory, service type,
//! concern and provider (the API's filters), then by organization type, age and sex among the
//! services shown; paged with the API's cursor.
use madar_openapi::services::ServiceResponse;
use madar_openapi::{Language, Page};
use yew::platform::spawn_local;
use yew::prelude::*;

use super::referrals::colon;
use super::referrals::lists::{
    self, organization_name, use_organizations, use_reference_list, Items, Organizations,
};
use crate::api::{self, ApiError};
use crate::components::widgets::{number, Loading, ProblemMessage};
use crate::i18n::{self, Key};
use crate::state::{AppContext, Vocabulary};

pub mod logic;

use logic::{admits, age_of, search_path, sex_of, Filter};

const PAGE: u32 = 20;

#[derive(Clone)]
struct Results {
    /// The search these results answer (also in `data-query`, for tests).
    query: String,
    items: Vec<ServiceResponse>,
    next_cursor: Option<String>,
}

/// A `<select>`'s options with a first "any" choice.
fn choices(lang: Language, items: Vec<(String, String)>, selected: &str) -> Html {
    html! {
        <>
            <option value="" selected={selected.is_empty()}>{ i18n::t(lang, Key::ServicesAny) }</option>
            { for items.into_iter().map(|(code, label)| {
                let is = code == selected;
                html! { <option value={code} selected={is}>{ label }</option> }
            }) }
        </>
    }
}

/// A labelled `<select>` editing one field of the draft filter.
fn select(
    id: &'static str,
    label: &str,
    options: Html,
    draft: &UseStateHandle<Filter>,
    set: fn(&mut Filter, String),
) -> Html {
    let onchange = {
        let draft = draft.clone();
        Callback::from(move |e: Event| {
            if let Some(s) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                let mut next = (*draft).clone();
                set(&mut next, s.value());
                draft.set(next);
            }
        })
    };
    html! {
        <div class="field">
            <label for={id}>{ label.to_owned() }</label>
            <select {id} {onchange}>{ options }</select>
        </div>
    }
}

#[function_component(ServicesPage)]
pub fn services_page() -> Html {
    let ctx = use_context::<AppContext>();
    let draft = use_state(Filter::default);
    let applied = use_state(Filter::default);
    let results = use_state(|| None::<Result<Results, ApiError>>);
    let more = use_state(|| None::<ApiError>);
    let busy = use_state(|| false);
    let age_error = use_state(|| false);
    let types = use_reference_list("service_types");
    let languages = use_reference_list("languages");
    let organizations = use_organizations();
    {
        let (results, more, busy) = (results.clone(), more.clone(), busy.clone());
        let path = search_path(&applied, PAGE, None);
        use_effect_with(path, move |path| {
            let path = path.clone();
            busy.set(true);
            spawn_local(async move {
                let answer = api::get::<Page<ServiceResponse>>(&path).await;
                more.set(None);
                results.set(Some(answer.map(|p| Results {
                    query: path,
                    items: p.items,
                    next_cursor: p.next_cursor,
                })));
                busy.set(false);
            });
        });
    }
    let Some(ctx) = ctx else {
        return Html::default();
    };
    let lang = ctx.lang;
    let t = |k| i18n::t(lang, k);

    let onsubmit = {
        let (draft, applied, age_error) = (draft.clone(), applied.clone(), age_error.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let bad_age = !draft.age.trim().is_empty() && age_of(&draft.age).is_none();
            age_error.set(bad_age);
            if !bad_age {
                applied.set((*draft).clone());
            }
        })
    };
    let on_reset = {
        let (draft, applied, age_error) = (draft.clone(), applied.clone(), age_error.clone());
        Callback::from(move |_| {
            age_error.set(false);
            draft.set(Filter::default());
            applied.set(Filter::default());
        })
    };
    let on_q = {
        let draft = draft.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                let mut next = (*draft).clone();
                next.q = input.value();
                draft.set(next);
            }
        })
    };
    let on_age = {
        let draft = draft.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                let mut next = (*draft).clone();
                next.age = input.value();
                draft.set(next);
            }
        })
    };
    let on_more = {
        let (results, more, busy, applied) =
            (results.clone(), more.clone(), busy.clone(), applied.clone());
        Callback::from(move |_| {
            let Some(Ok(current)) = (*results).clone() else {
                return;
            };
            let Some(cursor) = current.next_cursor.clone() else {
                return;
            };
            let path = search_path(&applied, PAGE, Some(&cursor));
            let (results, more, busy) = (results.clone(), more.clone(), busy.clone());
            busy.set(true);
            spawn_local(async move {
                match api::get::<Page<ServiceResponse>>(&path).await {
                    Ok(page) => {
                        let mut items = current.items;
                        items.extend(page.items);
                        results.set(Some(Ok(Results {
                            query: current.query,
                            items,
                            next_cursor: page.next_cursor,
                        })));
                        more.set(None);
                    }
                    Err(e) => more.set(Some(e)),
                }
                busy.set(false);
            });
        })
    };

    let territories: Vec<(String, String)> = ctx
        .vocabulary
        .territories(lang)
        .into_iter()
        .map(|(code, label, depth)| (code, format!("{}{label}", "\u{a0}\u{a0}".repeat(depth))))
        .collect();
    let org_types = ctx.vocabulary.items(lang, "organization_types");
    let providers: Vec<(String, String)> = organizations
        .as_ref()
        .map(|list| {
            list.iter()
                .filter(|o| {
                    draft.organization_type.is_empty()
                        || Vocabulary::code_of(&o.type_) == draft.organization_type
                })
                .map(|o| {
                    (
                        o.code.clone(),
                        organization_name(&organizations, lang, &o.code),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let sexes: Vec<(String, String)> = ctx
        .vocabulary
        .items(lang, "sexes")
        .into_iter()
        .filter(|(code, _)| code != "unknown")
        .collect();

    let form = html! {
        <form id="services-form" class="card services-form" {onsubmit} role="search">
            <div class="services-grid">
                <div class="field services-q">
                    <label for="services-q">{ t(Key::ServicesSearchLabel) }</label>
                    <input id="services-q" type="search" maxlength="200" value={draft.q.clone()}
                        oninput={on_q} />
                </div>
                { select("services-territory", t(Key::ServicesTerritory),
                    choices(lang, territories, &draft.territory), &draft, |f, v| f.territory = v) }
                { select("services-type", t(Key::ServicesServiceType),
                    choices(lang, lists::options(&types, lang), &draft.service_type), &draft,
                    |f, v| f.service_type = v) }
                { select("services-concern", t(Key::ServicesConcern),
                    choices(lang, ctx.vocabulary.items(lang, "concern_types"), &draft.concern),
                    &draft, |f, v| f.concern = v) }
                { select("services-org-type", t(Key::ServicesOrganizationType),
                    choices(lang, org_types, &draft.organization_type), &draft,
                    |f, v| { f.organization_type = v; f.provider = String::new(); }) }
                { select("services-provider", t(Key::ServicesProvider),
                    choices(lang, providers, &draft.provider), &draft, |f, v| f.provider = v) }
                <div class="field">
                    <label for="services-age">{ t(Key::ServicesAge) }</label>
                    <input id="services-age" type="number" min="0" max="25" inputmode="numeric"
                        value={draft.age.clone()} oninput={on_age}
                        aria-invalid={age_error.to_string()} />
                </div>
                { select("services-sex", t(Key::ServicesSex),
                    choices(lang, sexes, &draft.sex), &draft, |f, v| f.sex = v) }
            </div>
            if *age_error {
                <p id="services-age-error" class="error" role="alert">{ t(Key::ServicesAgeInvalid) }</p>
            }
            <p class="facts">{ t(Key::ServicesEligibilityNote) }</p>
            <div class="services-buttons">
                <button id="services-search" type="submit" class="primary" disabled={*busy}>
                    { if *busy { t(Key::ServicesSearching) } else { t(Key::ServicesSearch) } }
                </button>
                <button id="services-reset" type="button" class="secondary" onclick={on_reset}>
                    { t(Key::ServicesReset) }</button>
            </div>
        </form>
    };

    let query = match &*results {
        Some(Ok(found)) => found.query.clone(),
        _ => String::new(),
    };
    let body = match &*results {
        None => html! { <Loading busy=true /> },
        Some(Err(e)) => html! { <ProblemMessage error={e.clone()} /> },
        Some(Ok(found)) => {
            let (age, sex) = (age_of(&applied.age), sex_of(&applied.sex));
            let shown: Vec<&ServiceResponse> = found
                .items
                .iter()
                .filter(|s| admits(s, age, sex))
                .filter(|s| {
                    applied.organization_type.is_empty()
                        || organizations.as_ref().is_none_or(|list| {
                            list.iter().any(|o| {
                                o.code == s.provider
                                    && Vocabulary::code_of(&o.type_) == applied.organization_type
                            })
                        })
                })
                .collect();
            html! {
                <>
                    <p id="services-count" class="facts" role="status">
                        { i18n::tf(lang, Key::ServicesResults, &[("n", &number(lang, shown.len() as i64))]) }
                    </p>
                    if shown.is_empty() {
                        <p id="services-empty" class="empty">{ t(Key::ServicesEmpty) }</p>
                    } else {
                        <ul id="services-list" class="services-list">
                            { for shown.iter().map(|s| card(&ctx, &types, &languages, &organizations, s)) }
                        </ul>
                    }
                    if let Some(e) = &*more { <ProblemMessage error={e.clone()} /> }
                    if found.next_cursor.is_some() {
                        <button id="services-more" type="button" class="secondary"
                            disabled={*busy} onclick={on_more}>
                            { if *busy { t(Key::Loading) } else { t(Key::ServicesMore) } }
                        </button>
                    }
                </>
            }
        }
    };

    html! {
        <section id="services" class="services" aria-labelledby="services-title">
            <h1 id="services-title">{ t(Key::ServicesTitle) }</h1>
            <p class="intro">{ t(Key::ServicesIntro) }</p>
            { form }
            <div id="services-results" aria-live="polite" data-query={query}>{ body }</div>
        </section>
    }
}

fn service_name(lang: Language, s: &ServiceResponse) -> String {
    let own = match lang {
        Language::Ar => s.name_ar.clone(),
        Language::Fr => s.name_fr.clone(),
        Language::En => None,
    };
    own.unwrap_or_else(|| s.name.clone())
}

fn ages(lang: Language, s: &ServiceResponse) -> String {
    match (s.min_age, s.max_age) {
        (Some(min), Some(max)) => i18n::tf(
            lang,
            Key::ServicesAgesRange,
            &[("min", &min.to_string()), ("max", &max.to_string())],
        ),
        (Some(min), None) => i18n::tf(lang, Key::ServicesAgesFrom, &[("min", &min.to_string())]),
        (None, Some(max)) => i18n::tf(lang, Key::ServicesAgesTo, &[("max", &max.to_string())]),
        (None, None) => i18n::t(lang, Key::ServicesAllAges).to_owned(),
    }
}

fn capacity(lang: Language, s: &ServiceResponse) -> String {
    let n = |v: i32| number(lang, v as i64);
    match (s.places_available, s.capacity) {
        (Some(free), Some(total)) => i18n::tf(
            lang,
            Key::ServicesPlaces,
            &[("free", &n(free)), ("total", &n(total))],
        ),
        (Some(free), None) => i18n::tf(lang, Key::ServicesPlacesFree, &[("free", &n(free))]),
        (None, Some(total)) => i18n::tf(lang, Key::ServicesPlacesTotal, &[("total", &n(total))]),
        (None, None) => i18n::t(lang, Key::ServicesCapacityUnknown).to_owned(),
    }
}

fn joined(lang: Language, parts: Vec<String>) -> String {
    parts.join(if lang == Language::Ar { "، " } else { ", " })
}

fn card(
    ctx: &AppContext,
    types: &Option<Items>,
    languages: &Option<Items>,
    organizations: &Option<Organizations>,
    s: &ServiceResponse,
) -> Html {
    let lang = ctx.lang;
    let v = &ctx.vocabulary;
    let t = |k| i18n::t(lang, k);
    let sexes = if s.sexes.is_empty() {
        t(Key::ServicesAllSexes).to_owned()
    } else {
        joined(
            lang,
            s.sexes
                .iter()
                .map(|x| v.label_of(lang, "sexes", x))
                .collect(),
        )
    };
    let concerns = if s.concerns.is_empty() {
        t(Key::ServicesAllConcerns).to_owned()
    } else {
        joined(
            lang,
            s.concerns
                .iter()
                .map(|c| v.label_of(lang, "concern_types", c))
                .collect(),
        )
    };
    let served = joined(
        lang,
        s.territories.iter().map(|c| v.territory(lang, c)).collect(),
    );
    let provider = organizations
        .as_ref()
        .filter(|l| l.iter().any(|o| o.code == s.provider))
        .map(|_| organization_name(organizations, lang, &s.provider))
        .unwrap_or_else(|| s.provider_name.clone());
    html! {
        <li id={format!("service-{}", s.id)} class="card services-item" data-provider={s.provider.clone()}>
            <h2 class="services-name"><bdi>{ service_name(lang, s) }</bdi></h2>
            <p class="services-meta">
                <span class="badge">{ lists::label(types, lang, &Vocabulary::code_of(&s.type_)) }</span>
                { " " }<bdi class="services-provider">{ provider }</bdi>
            </p>
            if let Some(d) = &s.description { <p><bdi>{ d.clone() }</bdi></p> }
            <dl class="services-facts">
                <div><dt>{ t(Key::ServicesEligibility) }</dt>
                    <dd>{ ages(lang, s) }{ " · " }{ sexes }{ " · " }{ concerns }</dd></div>
                <div><dt>{ t(Key::ServicesServed) }</dt><dd>{ served }</dd></div>
                <div><dt>{ t(Key::ServicesCapacity) }</dt>
                    <dd class="services-capacity">{ capacity(lang, s) }</dd></div>
                if !s.languages.is_empty() {
                    <div><dt>{ t(Key::ServicesLanguages) }</dt>
                        <dd>{ joined(lang, s.languages.iter().map(|c| lists::label(languages, lang, c)).collect()) }</dd></div>
                }
            </dl>
            if s.confidential { <p class="badge danger">{ t(Key::ServicesConfidential) }</p> }
            if s.locations.is_empty() {
                <p class="empty">{ t(Key::ServicesNoLocation) }</p>
            } else {
                <ul class="services-locations">
                    { for s.locations.iter().map(|l| html! {
                        <li>
                            if let Some(name) = &l.name { <strong><bdi>{ name.clone() }</bdi></strong><br /> }
                            { t(Key::ServicesAddress) }{ colon(lang) }<bdi>{ l.address.clone() }</bdi>
                            if let Some(city) = &l.city { { joined(lang, vec![String::new(), String::new()]) }<bdi>{ city.clone() }</bdi> }
                            if let Some(code) = &l.territory { { " · " }{ v.territory(lang, code) } }
                            if let Some(phone) = &l.phone {
                                <br />{ t(Key::ServicesPhone) }{ colon(lang) }
                                <a href={format!("tel:{}", phone.replace(' ', ""))} dir="ltr">{ phone.clone() }</a>
                            }
                            if let Some(hours) = &l.opening_hours {
                                <br />{ t(Key::ServicesHours) }{ colon(lang) }<bdi>{ hours.clone() }</bdi>
                            }
                        </li>
                    }) }
                </ul>
            }
        </li>
    }
}
