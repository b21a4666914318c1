//! The short form for a new report, usable on a phone and offline.
use yew::prelude::*;

#[function_component(NewReportPage)]
pub fn new_report_page() -> Html {
    html! { <crate::components::widgets::Loading busy=true /> }
}
