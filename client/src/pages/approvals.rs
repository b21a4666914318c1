//! The coordinator's approvals and transfer requests.
use yew::prelude::*;

#[function_component(ApprovalsPage)]
pub fn approvals_page() -> Html {
    html! { <crate::components::widgets::Loading busy=true /> }
}
