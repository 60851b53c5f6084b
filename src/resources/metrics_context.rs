//! Metrics contexts. Definition files may carry them; their operations
//! (Create Metrics Context, Get Metrics) come with the metrics work.

use crate::resources::framework::descriptor::{BASE, ResourceType};

pub static METRICS_CONTEXT: ResourceType = ResourceType {
    class: "metrics-context",
    def_key: "metrics_contexts",
    element: "/api/services/metrics/context/{id}",
    param: "metrics-context-id",
    id_prop: "fake-id",
    uri_prop: "fake-uri",
    get: None,
    ..BASE
};
