//! The national executive programme, for admins, coordinators and analysts: the policy's five
//! strategic objectives, each with a line of progress; an objective opened shows its progress
//! report (`GET /programme/objectives/{code}`) and its sub-objectives → measures (sector,
//! partners, years, status) → indicators (baseline, target, values by year). Admins change it
//! there ([`write`], [`add`]): the whole programme is replaced (`PUT` with `If-Match`) at each
//! change.
use std::rc::Rc;

use madar_openapi::programme::{ObjectiveProgress, ObjectiveReport, ProgrammeResponse};
use madar_openapi::users::Role;
use madar_openapi::Language;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api::{self, ApiError};
use crate::components::widgets::{number, Loading, ProblemMessage};
use crate::i18n::{self, Key};
use crate::pages::case::form::pick;
use crate::state::AppContext;

mod add;
mod edit;
mod view;
mod write;

/// The programme as read, with the `ETag` its replacement sends back.
#[derive(Clone)]
pub struct Loaded {
    pub programme: Rc<ProgrammeResponse>,
    pub etag: String,
}

impl PartialEq for Loaded {
    fn eq(&self, other: &Loaded) -> bool {
        self.programme.version == other.programme.version && self.etag == other.etag
    }
}

/// A share of 0 to 1 as a whole percent in the page's language; `—` without one.
pub fn percent(lang: Language, share: Option<f64>) -> String {
    match share {
        Some(s) if s.is_finite() => format!("{} %", number(lang, (s * 100.0).round() as i64)),
        _ => "—".to_owned(),
    }
}

fn summary(lang: Language, p: &ObjectiveProgress) -> String {
    i18n::tf(
        lang,
        Key::ProgrammeSummary,
        &[
            ("subs", &number(lang, p.sub_objectives)),
            ("measures", &number(lang, p.measures)),
            ("share", &percent(lang, p.share_done)),
        ],
    )
}

#[function_component(ProgrammePage)]
pub fn programme_page() -> Html {
    let ctx = use_context::<AppContext>();
    let lang = ctx.as_ref().map(|c| c.lang).unwrap_or_default();
    let admin = ctx
        .as_ref()
        .and_then(|c| c.user.as_ref())
        .is_some_and(|u| u.role == Role::Admin);
    let loaded = use_state(|| None::<Result<Loaded, ApiError>>);
    let open = use_state(|| None::<String>);
    let report = use_state(|| None::<Result<ObjectiveReport, ApiError>>);
    {
        let loaded = loaded.clone();
        use_effect_with((), move |_| {
            spawn_local(async move {
                let read = api::get_tagged::<ProgrammeResponse>("/programme").await;
                loaded.set(Some(read.map(|(p, etag)| Loaded {
                    programme: Rc::new(p),
                    etag,
                })));
            });
        });
    }
    // The report of the objective open, read again after each change of the programme.
    let version = match &*loaded {
        Some(Ok(l)) => l.programme.version,
        _ => 0,
    };
    {
        let report = report.clone();
        use_effect_with(((*open).clone(), version), move |(open, _)| {
            report.set(None);
            if let Some(code) = open.clone() {
                spawn_local(async move {
                    let path = format!(
                        "/programme/objectives/{}",
                        super::approvals::paged::encode(&code)
                    );
                    report.set(Some(api::get(&path).await));
                });
            }
        });
    }
    let on_saved = {
        let loaded = loaded.clone();
        Callback::from(move |now: Loaded| loaded.set(Some(Ok(now))))
    };
    let body = match &*loaded {
        None => html! { <Loading busy=true /> },
        Some(Err(e)) => html! { <ProblemMessage error={e.clone()} /> },
        Some(Ok(l)) => {
            let items = l.programme.objectives.iter().map(|o| {
                let is_open = open.as_deref() == Some(o.code.as_str());
                let onclick = {
                    let (open, code) = (open.clone(), o.code.clone());
                    Callback::from(move |_: MouseEvent| {
                        open.set((open.as_deref() != Some(code.as_str())).then(|| code.clone()))
                    })
                };
                let progress = l.programme.progress.iter().find(|p| p.objective == o.code);
                let detail_id = format!("objective-{}", o.code);
                html! {
                    <li class="card programme-objective" key={o.code.clone()} data-code={o.code.clone()}>
                        <h2 class="programme-objective-title">
                            <button type="button" class="programme-open" {onclick}
                                aria-expanded={is_open.to_string()} aria-controls={detail_id.clone()}>
                                <span class="badge">{ o.code.to_uppercase() }</span>{ " " }
                                { pick(&o.title, lang) }
                            </button>
                        </h2>
                        if let Some(p) = progress {
                            <p class="programme-summary">
                                <meter min="0" max="1" value={p.share_done.unwrap_or(0.0).to_string()}
                                    aria-label={i18n::t(lang, Key::ProgrammeShareDone)}></meter>{ " " }
                                { summary(lang, p) }
                            </p>
                        }
                        if is_open {
                            <div id={detail_id} class="programme-detail">
                                { view::report(lang, report.as_ref()) }
                                { view::objective(lang, o, admin.then_some((l, &on_saved))) }
                            </div>
                        }
                    </li>
                }
            });
            html! { <ul class="programme-objectives" id="programme-objectives">{ for items }</ul> }
        }
    };
    html! {
        <section class="programme" id="programme" aria-labelledby="programme-title">
            <h1 id="programme-title">{ i18n::t(lang, Key::ProgrammeTitle) }</h1>
            <p class="plans-intro">{ i18n::t(lang, Key::ProgrammeIntro) }</p>
            { body }
        </section>
    }
}
