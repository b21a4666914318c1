//! The audit log for auditors: filters, chain verification.
use yew::prelude::*;

#[function_component(AuditPage)]
pub fn audit_page() -> Html {
    html! { <crate::components::widgets::Loading busy=true /> }
}
