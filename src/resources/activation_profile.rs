//! Reset, image and load activation profiles of classic-mode CPCs. Their id
//! is their name, used verbatim in the URI.

use crate::resources::cpc::CPC;
use crate::resources::framework::descriptor::{BASE, GetSpec, ListSpec, Mode, ResourceType};

const PROFILE_QUERY: &[&str] = &["properties", "cached-acceptable"];

pub static RESET_PROFILE: ResourceType = ResourceType {
    class: "reset-activation-profile",
    def_key: "reset_activation_profiles",
    parent: Some(&CPC),
    element: "{parent}/reset-activation-profiles/{id}",
    param: "reset-activation-profile-name",
    id_prop: "name",
    uri_prop: "element-uri",
    get: Some(GetSpec {
        title: "Get Reset Activation Profile Properties",
        query: PROFILE_QUERY,
    }),
    collection: Some("{parent}/reset-activation-profiles"),
    list: Some(ListSpec {
        title: "List Reset Activation Profiles",
        key: "reset-activation-profiles",
        props: &["element-uri", "name"],
        mode: Mode::Classic,
        ..ListSpec::BASE
    }),
    ..BASE
};

pub static IMAGE_PROFILE: ResourceType = ResourceType {
    class: "image-activation-profile",
    def_key: "image_activation_profiles",
    parent: Some(&CPC),
    element: "{parent}/image-activation-profiles/{id}",
    param: "image-activation-profile-name",
    id_prop: "name",
    uri_prop: "element-uri",
    get: Some(GetSpec {
        title: "Get Image Activation Profile Properties",
        query: PROFILE_QUERY,
    }),
    write_only: &["ssc-master-pw", "zaware-master-pw"],
    collection: Some("{parent}/image-activation-profiles"),
    list: Some(ListSpec {
        title: "List Image Activation Profiles",
        key: "image-activation-profiles",
        props: &["element-uri", "name"],
        additional: true,
        mode: Mode::Classic,
        ..ListSpec::BASE
    }),
    ..BASE
};

pub static LOAD_PROFILE: ResourceType = ResourceType {
    class: "load-activation-profile",
    def_key: "load_activation_profiles",
    parent: Some(&CPC),
    element: "{parent}/load-activation-profiles/{id}",
    param: "load-activation-profile-name",
    id_prop: "name",
    uri_prop: "element-uri",
    get: Some(GetSpec {
        title: "Get Load Activation Profile Properties",
        query: PROFILE_QUERY,
    }),
    collection: Some("{parent}/load-activation-profiles"),
    list: Some(ListSpec {
        title: "List Load Activation Profiles",
        key: "load-activation-profiles",
        props: &["element-uri", "name"],
        mode: Mode::Classic,
        ..ListSpec::BASE
    }),
    ..BASE
};
