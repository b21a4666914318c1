//! The service directory: search and filter.
use yew::prelude::*;

#[function_component(ServicesPage)]
pub fn services_page() -> Html {
    html! { <crate::components::widgets::Loading busy=true /> }
}
