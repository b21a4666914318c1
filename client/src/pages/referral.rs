//! One referral and its status changes.
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub id: String,
}

#[function_component(ReferralPage)]
pub fn referral_page(props: &Props) -> Html {
    let _ = props;
    html! { <crate::components::widgets::Loading busy=true /> }
}
