//! A child's file.
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub id: String,
}

#[function_component(ChildPage)]
pub fn child_page(props: &Props) -> Html {
    let _ = props;
    html! { <crate::components::widgets::Loading busy=true /> }
}
