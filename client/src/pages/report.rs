//! One report, beside the duplicate suggestions, and its screening.
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub id: String,
}

#[function_component(ReportPage)]
pub fn report_page(props: &Props) -> Html {
    let _ = props;
    html! { <crate::components::widgets::Loading busy=true /> }
}
