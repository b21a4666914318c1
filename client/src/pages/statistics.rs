//! Statistics: the dashboard, filters, the provincial report (print view, CSV).
use yew::prelude::*;

#[function_component(StatisticsPage)]
pub fn statistics_page() -> Html {
    html! { <crate::components::widgets::Loading busy=true /> }
}
