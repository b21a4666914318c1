//! Referrals: the inbox of incoming referrals and the outgoing ones.
use yew::prelude::*;

#[function_component(ReferralsPage)]
pub fn referrals_page() -> Html {
    html! { <crate::components::widgets::Loading busy=true /> }
}
