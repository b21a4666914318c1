//! The reports inbox: new reports routed to the person, immediate danger first.
use yew::prelude::*;

#[function_component(ReportsInboxPage)]
pub fn reports_inbox_page() -> Html {
    html! { <crate::components::widgets::Loading busy=true /> }
}
