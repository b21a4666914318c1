//! A protection case.
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub id: String,
}

#[function_component(CasePage)]
pub fn case_page(props: &Props) -> Html {
    let _ = props;
    html! { <crate::components::widgets::Loading busy=true /> }
}
