//! A new API client: the form, then its id and secret, shown this once (the API keeps only a
//! hash of the secret) until the admin says they have copied it.
use madar_openapi::clients::CreatedClient;
use madar_openapi::Language;
use yew::prelude::*;

use super::super::fields::{self, on_input, on_select, Field};
use super::super::logic::FieldErrors;
use super::super::organization_options;
use super::draft::ClientDraft;
use crate::i18n::{self, Key};
use crate::pages::case::form::{options, submit, Outcome};
use crate::pages::referrals::lists::use_organizations;
use crate::state::AppContext;

const PATHS: [&str; 3] = ["name", "organization", "role"];

/// The roles an API client may have (the contract's `ClientRole`).
const ROLES: [&str; 2] = ["hotline", "partner"];

#[derive(Properties, PartialEq)]
pub struct Props {
    /// Told after a client is created (the list reloads).
    pub on_created: Callback<()>,
    pub on_close: Callback<()>,
}

/// The id and secret (of a new client, or a client's new one: `title` says which), each in a
/// read-only field that can be selected and copied.
pub(super) fn secret_panel(
    lang: Language,
    title: String,
    created: &CreatedClient,
    done: Callback<MouseEvent>,
) -> Html {
    let values = [
        (
            "client-id-once",
            Key::AdminClientId,
            created.client.client_id.as_str(),
        ),
        (
            "client-secret-once",
            Key::AdminClientSecret,
            created.client_secret.as_str(),
        ),
    ];
    fields::shown_once(lang, ("client", title), Key::AdminSecretOnce, &values, done)
}

#[function_component(NewClient)]
pub fn new_client(props: &Props) -> Html {
    let ctx = use_context::<AppContext>();
    let draft = use_state(ClientDraft::default);
    let errors = use_state(FieldErrors::new);
    let outcome = use_state(Outcome::default);
    let created = use_state(|| None::<CreatedClient>);
    let orgs = use_organizations();
    use_effect_with((), |_| fields::focus("client-name"));
    let Some(ctx) = ctx else {
        return Html::default();
    };
    let lang = ctx.lang;
    let onsubmit = {
        let (reset, created, on_created) =
            (draft.clone(), created.clone(), props.on_created.clone());
        let done = Callback::from(move |(answer, _): (CreatedClient, _)| {
            reset.set(ClientDraft::default());
            created.set(Some(answer));
            on_created.emit(());
        });
        let states = (&draft, &errors, &outcome);
        fields::create_on_submit(
            lang,
            states,
            ClientDraft::to_create,
            "/clients",
            &PATHS,
            done,
        )
    };
    if let Some(answer) = &*created {
        // Forgotten for good: the secret is not kept anywhere once this is pressed.
        let done = {
            let (created, on_close) = (created.clone(), props.on_close.clone());
            Callback::from(move |_: MouseEvent| {
                created.set(None);
                on_close.emit(());
            })
        };
        let title = i18n::tf(
            lang,
            Key::AdminClientCreated,
            &[("name", &answer.client.name)],
        );
        return secret_panel(lang, title, answer, done);
    }
    let roles: Vec<(String, String)> = ROLES
        .iter()
        .map(|r| (r.to_string(), ctx.vocabulary.label(lang, "roles", r)))
        .collect();
    let choose = Some(i18n::t(lang, Key::AdminChoose));
    html! {
        <section id="client-new" class="card" aria-labelledby="client-new-title">
            <h2 id="client-new-title">{ i18n::t(lang, Key::AdminNewClient) }</h2>
            <form id="client-form" class="admin-form" novalidate=true {onsubmit}>
                { fields::input(lang, Field { id: "client-name", label: Key::AdminClientName, path: "name", hint: None },
                    &errors, ("text", false), &draft.name, on_input(&draft, |d, v| d.name = v)) }
                { fields::select(lang, Field { id: "client-organization", label: Key::AdminOrganization, path: "organization", hint: None },
                    &errors, organization_options(&orgs, lang, &draft.organization, Key::AdminChoose, false),
                    on_select(&draft, |d, v| d.organization = v)) }
                { fields::select(lang, Field { id: "client-role", label: Key::AdminRole, path: "role", hint: None },
                    &errors, options(&roles, &draft.role, choose), on_select(&draft, |d, v| d.role = v)) }
                <div class="admin-buttons">
                    { submit("client-submit", i18n::t(lang, Key::AdminCreateClient), outcome.busy()) }
                    <button type="button" class="secondary" onclick={props.on_close.reform(|_: MouseEvent| ())}>
                        { i18n::t(lang, Key::AdminCancel) }</button>
                </div>
                { outcome.view("client-outcome") }
            </form>
        </section>
    }
}
