//! Reset, image and load activation profiles: Create (POST on the
//! collection with `profile-name`), Get, Update, Delete and List, through
//! the library and over HTTPS.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod support;

use mock_hmc::Method::{Delete, Get, Post};
use serde_json::{Value, json};
use support::error_table::{self, State, row, row_in};
use support::helpers::{delete, get, names, post, props, update};
use support::{RawClient, both, both_raw};

const CPC: &str = "/api/cpcs/classic1";
const KINDS: [&str; 3] = ["reset", "image", "load"];

fn collection(kind: &str) -> String {
    format!("{CPC}/{kind}-activation-profiles")
}

#[test]
fn create_adds_a_profile_named_by_profile_name_and_answers_no_body() {
    both(|c, s| {
        let t = c.transport();
        for kind in KINDS {
            // Act
            let r = post(
                c,
                s,
                &collection(kind),
                json!({"profile-name": "NEW", "description": "d"}),
            );

            // Assert
            assert_eq!(r.status, 204, "{t} {kind}: {:?}", r.body);
            let uri = format!("{}/NEW", collection(kind));
            let p = props(c, s, &uri);
            assert_eq!(p["name"], "NEW", "{t} {kind}");
            assert_eq!(p["element-uri"], uri.as_str(), "{t} {kind}");
            assert_eq!(
                p["class"],
                format!("{kind}-activation-profile"),
                "{t} {kind}"
            );
            assert_eq!(p["parent"], CPC, "{t} {kind}");
            assert!(p.get("profile-name").is_none(), "{t} {kind}: {p:?}");
            let list = props(c, s, &collection(kind));
            assert!(
                names(&list[format!("{kind}-activation-profiles")]).contains(&"NEW".to_string()),
                "{t} {kind}: {list:?}"
            );
        }
    });
}

#[test]
fn a_new_image_profile_has_what_lpar_activate_reads() {
    both(|c, s| {
        // Act
        let r = post(c, s, &collection("image"), json!({"profile-name": "IMG"}));

        // Assert
        assert_eq!(r.status, 204, "{}: {:?}", c.transport(), r.body);
        let p = props(c, s, &format!("{}/IMG", collection("image")));
        assert_eq!(p["load-at-activation"], false, "{}", c.transport());
        assert_eq!(p["operating-mode"], "general", "{}", c.transport());
    });
}

#[test]
fn update_and_delete_change_the_profile() {
    both(|c, s| {
        let t = c.transport();
        let uri = format!("{}/DEFAULTLOAD", collection("load"));
        // Act
        update(c, s, &uri, json!({"ipl-address": "0ABCD"}));

        // Assert
        assert_eq!(props(c, s, &uri)["ipl-address"], "0ABCD", "{t}");

        // Act
        let r = delete(c, s, &uri);

        // Assert
        assert_eq!(r.status, 204, "{t}: {:?}", r.body);
        assert_eq!(get(c, s, &uri).code(), (404, 1), "{t}");
    });
}

#[test]
fn image_profiles_list_additional_properties_but_never_the_master_passwords() {
    both(|c, s| {
        // Arrange
        let uri = format!("{}/LPAR1", collection("image"));
        update(
            c,
            s,
            &uri,
            json!({"ssc-master-pw": "x", "zaware-master-pw": "y"}),
        );

        // Act
        let list = props(
            c,
            s,
            &format!(
                "{}?additional-properties=operating-mode,ssc-master-pw,zaware-master-pw",
                collection("image")
            ),
        );

        // Assert
        let items = list["image-activation-profiles"].as_array().unwrap();
        let lpar1 = items.iter().find(|i| i["name"] == "LPAR1").unwrap();
        assert_eq!(lpar1["operating-mode"], "linux", "{}", c.transport());
        for hidden in ["ssc-master-pw", "zaware-master-pw"] {
            assert!(lpar1.get(hidden).is_none(), "{}: {lpar1:?}", c.transport());
            assert!(props(c, s, &uri).get(hidden).is_none(), "{}", c.transport());
        }
        let some = props(c, s, &format!("{uri}?properties=name,operating-mode"));
        assert_eq!(
            some,
            json!({"name": "LPAR1", "operating-mode": "linux"}),
            "{}",
            c.transport()
        );
    });
}

#[test]
fn profile_errors_answer_the_hmc_codes_and_change_nothing() {
    both_raw(|c: &dyn RawClient, s| {
        let j = Some;
        let mut rows = Vec::new();
        for kind in KINDS {
            let coll = collection(kind);
            rows.push(row(Post, &coll, None, 400, 3));
            rows.push(row(Post, &coll, j(json!({"description": "x"})), 400, 5));
            rows.push(row(Post, &coll, j(json!({"profile-name": 7})), 400, 7));
            rows.push(row(
                Post,
                &format!("{coll}?x=1"),
                j(json!({"profile-name": "A"})),
                400,
                1,
            ));
            rows.push(row_in(
                State::ClassicInDpm,
                Post,
                &coll,
                j(json!({"profile-name": "A"})),
                409,
                4,
            ));
            rows.push(row(
                Post,
                &format!("/api/cpcs/nope/{kind}-activation-profiles"),
                j(json!({"profile-name": "A"})),
                404,
                1,
            ));
            rows.push(row(Delete, &format!("{coll}/NOPE"), None, 404, 1));
            rows.push(row(Post, &format!("{coll}/NOPE"), j(json!({})), 404, 1));
            rows.push(row(Get, &format!("{coll}/NOPE"), None, 404, 1));
        }
        // Names are unique per kind: the existing profiles.
        rows.push(row(
            Post,
            &collection("reset"),
            j(json!({"profile-name": "CLASSIC1"})),
            400,
            8,
        ));
        rows.push(row(
            Post,
            &collection("image"),
            j(json!({"profile-name": "LPAR1"})),
            400,
            8,
        ));
        rows.push(row(
            Post,
            &collection("load"),
            j(json!({"profile-name": "DEFAULTLOAD"})),
            400,
            8,
        ));
        let watched: Vec<String> = KINDS.iter().map(|k| collection(k)).collect();
        let watched: Vec<&str> = watched.iter().map(String::as_str).collect();
        error_table::run(c, s, &rows, &watched);
    });
}

#[test]
fn profiles_of_a_dpm_cpc_list_as_empty() {
    both(|c, s| {
        for kind in KINDS {
            let list = props(c, s, &format!("/api/cpcs/dpm1/{kind}-activation-profiles"));
            assert_eq!(
                list[format!("{kind}-activation-profiles")],
                Value::Array(vec![]),
                "{} {kind}",
                c.transport()
            );
        }
    });
}
