//! The classic CPC operations: Activate/Deactivate CPC (jobs with the
//! status rules), Import/Export Profiles (the profiles really move) and
//! Add/Remove Temporary Capacity (atomic), through the library and over
//! HTTPS.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod support;

use mock_hmc::Method::Post;
use serde_json::{Value, json};
use support::error_table::{self, State, raw_row, row, row_in};
use support::helpers::{delete, names, post, props, update};
use support::{Client, RawClient, Reply, both, both_raw};

const CPC: &str = "/api/cpcs/classic1";
const DPM: &str = "/api/cpcs/dpm1";

fn op(cpc: &str, name: &str) -> String {
    format!("{cpc}/operations/{name}")
}

/// Asserts a 202 with a job complete at the first poll, without a result.
fn assert_done(c: &dyn Client, s: &str, r: &Reply) {
    let t = c.transport();
    assert_eq!(r.status, 202, "{t}: {:?}", r.body);
    let job = props(c, s, r.body["job-uri"].as_str().unwrap());
    assert_eq!(job["status"], "complete", "{t}: {job:?}");
    assert_eq!(job["job-status-code"], 204, "{t}: {job:?}");
}

/// The names of the CPC's profiles of `kind`.
fn profile_names(c: &dyn Client, s: &str, kind: &str) -> Vec<String> {
    let key = format!("{kind}-activation-profiles");
    names(&props(c, s, &format!("{CPC}/{key}"))[key.as_str()])
}

// ------------------------------------------------- activate, deactivate

#[test]
fn activate_with_force_records_the_profile_and_its_iocds() {
    both(|c, s| {
        // Act
        let r = post(
            c,
            s,
            &op(CPC, "activate"),
            json!({"activation-profile-name": "CLASSIC1", "force": true}),
        );

        // Assert
        assert_done(c, s, &r);
        let p = props(c, s, CPC);
        assert_eq!(p["status"], "operating", "{}", c.transport());
        assert_eq!(
            p["last-used-activation-profile"],
            "CLASSIC1",
            "{}",
            c.transport()
        );
        assert_eq!(p["last-used-iocds"], "A0", "{}", c.transport());
    });
}

#[test]
fn deactivate_powers_the_cpc_off_with_its_lpars_and_activate_brings_it_back() {
    both(|c, s| {
        let t = c.transport();
        // Act
        let r = post(c, s, &op(CPC, "deactivate"), json!({"force": true}));

        // Assert
        assert_done(c, s, &r);
        assert_eq!(props(c, s, CPC)["status"], "no-power", "{t}");
        let lpar1 = props(c, s, "/api/logical-partitions/classic1-lpar1");
        assert_eq!(lpar1["status"], "not-activated", "{t}");
        assert_eq!(lpar1["activation-mode"], "not-set", "{t}");

        // Act: an inactive CPC needs no force.
        let r = post(
            c,
            s,
            &op(CPC, "activate"),
            json!({"activation-profile-name": "OTHER"}),
        );

        // Assert
        assert_done(c, s, &r);
        let p = props(c, s, CPC);
        assert_eq!(p["status"], "operating", "{t}");
        assert_eq!(p["last-used-activation-profile"], "OTHER", "{t}");
    });
}

// ------------------------------------------------ import, export profiles

#[test]
fn export_then_import_restores_the_exported_profiles() {
    both(|c, s| {
        let t = c.transport();
        // Arrange
        let before: Vec<Vec<String>> = ["reset", "image", "load"]
            .iter()
            .map(|k| profile_names(c, s, k))
            .collect();
        let lpar1 = format!("{CPC}/image-activation-profiles/LPAR1");
        let lpar1_before = props(c, s, &lpar1);
        let r = post(
            c,
            s,
            &op(CPC, "export-profiles"),
            json!({"profile-area": 2}),
        );
        assert_eq!(r.status, 204, "{t}: {:?}", r.body);
        assert_eq!(delete(c, s, &lpar1).status, 204, "{t}");
        assert_eq!(
            post(
                c,
                s,
                &format!("{CPC}/load-activation-profiles"),
                json!({"profile-name": "EXTRA"})
            )
            .status,
            204,
            "{t}"
        );
        update(
            c,
            s,
            &format!("{CPC}/reset-activation-profiles/CLASSIC1"),
            json!({"iocds-name": "A1"}),
        );

        // Act
        let r = post(
            c,
            s,
            &op(CPC, "import-profiles"),
            json!({"profile-area": 2}),
        );

        // Assert
        assert_eq!(r.status, 204, "{t}: {:?}", r.body);
        let after: Vec<Vec<String>> = ["reset", "image", "load"]
            .iter()
            .map(|k| profile_names(c, s, k))
            .collect();
        assert_eq!(after, before, "{t}");
        assert_eq!(props(c, s, &lpar1), lpar1_before, "{t}");
        assert_eq!(
            props(c, s, &format!("{CPC}/reset-activation-profiles/CLASSIC1"))["iocds-name"],
            "A0",
            "{t}"
        );
    });
}

#[test]
fn import_of_an_area_nothing_was_exported_to_changes_nothing() {
    both(|c, s| {
        // Arrange
        let before = profile_names(c, s, "image");

        // Act
        let r = post(
            c,
            s,
            &op(CPC, "import-profiles"),
            json!({"profile-area": 4}),
        );

        // Assert
        assert_eq!(r.status, 204, "{}: {:?}", c.transport(), r.body);
        assert_eq!(profile_names(c, s, "image"), before, "{}", c.transport());
    });
}

// -------------------------------------------------- temporary capacity

#[test]
fn temporary_capacity_adds_and_removes_a_software_model_and_processors() {
    both(|c, s| {
        let t = c.transport();
        // Act
        let r = post(
            c,
            s,
            &op(CPC, "add-temp-capacity"),
            json!({"record-id": "R1", "test": false, "software-model": "706",
                   "processor-info": [{"processor-type": "ifl", "num-processor-steps": 2},
                                      {"processor-type": "icf"}]}),
        );

        // Assert
        assert_eq!(r.status, 204, "{t}: {:?}", r.body);
        let p = props(c, s, CPC);
        assert_eq!(p["processor-count-general-purpose"], 6, "{t}");
        assert_eq!(p["software-model-permanent-plus-temporary"], "706", "{t}");
        assert_eq!(p["processor-count-ifl"], 4, "{t}");
        assert_eq!(p["processor-count-icf"], 1, "{t}: no steps, no change");

        // Act
        let r = post(
            c,
            s,
            &op(CPC, "remove-temp-capacity"),
            json!({"record-id": "R1", "software-model": "704",
                   "processor-info": [{"processor-type": "ifl", "num-processor-steps": 3}]}),
        );

        // Assert
        assert_eq!(r.status, 204, "{t}: {:?}", r.body);
        let p = props(c, s, CPC);
        assert_eq!(p["processor-count-general-purpose"], 4, "{t}");
        assert_eq!(
            p["software-model-permanent-plus-temporary"],
            Value::Null,
            "{t}"
        );
        assert_eq!(p["processor-count-ifl"], 1, "{t}");
    });
}

#[test]
fn a_temporary_model_cannot_be_added_twice_and_the_failure_changes_nothing() {
    both(|c, s| {
        let t = c.transport();
        // Arrange
        let add = |model: &str, steps: i64| {
            post(
                c,
                s,
                &op(CPC, "add-temp-capacity"),
                json!({"record-id": "R", "test": false, "software-model": model,
                       "processor-info": [{"processor-type": "aap", "num-processor-steps": steps}]}),
            )
        };
        assert_eq!(add("705", 1).status, 204, "{t}");
        let before = props(c, s, CPC);

        // Act
        let r = add("708", 1);

        // Assert
        assert_eq!(r.code(), (400, 277), "{t}: {:?}", r.body);
        assert_eq!(
            r.body["message"],
            "Cannot activate temporary software model 708 because temporary software model 705 is already active",
            "{t}"
        );
        assert_eq!(props(c, s, CPC), before, "{t}");
    });
}

#[test]
fn temporary_capacity_works_on_a_cpc_without_processor_counts() {
    both(|c, s| {
        // Act: DPM1 has no counts or model; missing counts are 0.
        let r = post(
            c,
            s,
            &op(DPM, "add-temp-capacity"),
            json!({"record-id": "R", "test": true, "software-model": "702",
                   "processor-info": [{"processor-type": "ifl", "num-processor-steps": 1}]}),
        );

        // Assert
        assert_eq!(r.status, 204, "{}: {:?}", c.transport(), r.body);
        let p = props(c, s, DPM);
        assert_eq!(p["processor-count-general-purpose"], 2, "{}", c.transport());
        assert_eq!(p["processor-count-ifl"], 1, "{}", c.transport());
    });
}

// ------------------------------------------------------------ error rules

#[test]
fn classic_cpc_errors_answer_the_hmc_codes_and_change_nothing() {
    both_raw(|c: &dyn RawClient, s| {
        let j = Some;
        let activate = json!({"activation-profile-name": "CLASSIC1"});
        let area = json!({"profile-area": 1});
        let add = |extra: Value| {
            let mut b = json!({"record-id": "R", "test": false});
            b.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            Some(b)
        };
        let rows = vec![
            // Activate CPC: body first, then mode, then status.
            row(Post, &op(CPC, "activate"), None, 400, 3),
            row(
                Post,
                &op(CPC, "activate"),
                j(json!({"force": true})),
                400,
                5,
            ),
            row(Post, &op(DPM, "activate"), None, 400, 3),
            row(Post, &op(DPM, "activate"), j(activate.clone()), 409, 4),
            row(Post, &op(CPC, "activate"), j(activate.clone()), 409, 1),
            row_in(
                State::ClassicStatusCheck,
                Post,
                &op(CPC, "activate"),
                j(json!({"activation-profile-name": "CLASSIC1", "force": true})),
                409,
                1,
            ),
            raw_row(Post, &op(CPC, "activate"), "{", 400, 9),
            // Deactivate CPC: mode first, then a body (the mock crashes
            // without one), then status.
            row(Post, &op(DPM, "deactivate"), None, 409, 4),
            row(Post, &op(CPC, "deactivate"), None, 400, 3),
            row(
                Post,
                &op(CPC, "deactivate"),
                j(json!({"force": false})),
                409,
                1,
            ),
            row_in(
                State::ClassicStatusCheck,
                Post,
                &op(CPC, "deactivate"),
                j(json!({"force": true})),
                409,
                1,
            ),
            row(
                Post,
                "/api/cpcs/nope/operations/deactivate",
                j(json!({})),
                404,
                1,
            ),
            // Import / Export Profiles.
            row(Post, &op(DPM, "import-profiles"), j(area.clone()), 409, 4),
            row(Post, &op(DPM, "export-profiles"), j(area.clone()), 409, 4),
            row(Post, &op(CPC, "import-profiles"), None, 400, 3),
            row(Post, &op(CPC, "export-profiles"), j(json!({})), 400, 5),
            row(
                Post,
                &op(CPC, "export-profiles"),
                j(json!({"profile-area": 5})),
                400,
                7,
            ),
            row(
                Post,
                &op(CPC, "import-profiles"),
                j(json!({"profile-area": "1"})),
                400,
                7,
            ),
            // Temporary capacity (4.16.1).
            row(Post, &op(CPC, "add-temp-capacity"), None, 400, 3),
            row(
                Post,
                &op(CPC, "add-temp-capacity"),
                j(json!({"record-id": "R"})),
                400,
                5,
            ),
            row(
                Post,
                &op(CPC, "remove-temp-capacity"),
                j(json!({"test": true})),
                400,
                5,
            ),
            row(
                Post,
                &op(CPC, "add-temp-capacity"),
                add(json!({"software-model": "703"})),
                400,
                276,
            ),
            row(
                Post,
                &op(CPC, "add-temp-capacity"),
                add(json!({"software-model": "7x5"})),
                400,
                7,
            ),
            row(
                Post,
                &op(CPC, "add-temp-capacity"),
                add(json!({"software-model": 705})),
                400,
                7,
            ),
            row(
                Post,
                &op(CPC, "add-temp-capacity"),
                add(
                    json!({"software-model": "706", "processor-info": [{"processor-type": "gpu", "num-processor-steps": 1}]}),
                ),
                400,
                276,
            ),
            row(
                Post,
                &op(CPC, "add-temp-capacity"),
                add(
                    json!({"software-model": "706", "processor-info": [{"num-processor-steps": 1}]}),
                ),
                400,
                5,
            ),
            row(
                Post,
                &op(CPC, "add-temp-capacity"),
                add(
                    json!({"processor-info": [{"processor-type": "ifl", "num-processor-steps": "2"}]}),
                ),
                400,
                7,
            ),
            row(
                Post,
                &op(CPC, "add-temp-capacity"),
                add(json!({"processor-info": {"processor-type": "ifl"}})),
                400,
                7,
            ),
            row(
                Post,
                &op(CPC, "add-temp-capacity"),
                add(json!({"processor-info": [3]})),
                400,
                7,
            ),
            row(
                Post,
                &op(CPC, "remove-temp-capacity"),
                add(json!({"software-model": "703"})),
                400,
                277,
            ),
            row(
                Post,
                &op(CPC, "remove-temp-capacity"),
                add(
                    json!({"processor-info": [{"processor-type": "ifl", "num-processor-steps": 1}, {"processor-type": "icf", "num-processor-steps": 1}]}),
                ),
                400,
                276,
            ),
        ];
        let watched = [CPC, DPM, "/api/cpcs/classic1/image-activation-profiles"];
        error_table::run(c, s, &rows, &watched);
    });
}

#[test]
fn classic_cpc_errors_use_the_hmc_mocks_messages() {
    both(|c, s| {
        let t = c.transport();
        let message = |uri: &str, body: Value| {
            post(c, s, uri, body).body["message"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        };
        assert_eq!(
            message(
                &op(CPC, "activate"),
                json!({"activation-profile-name": "X"})
            ),
            "The operation cannot be performed because the targeted CPC CLASSIC1 already has an active status 'operating' and force is not specified",
            "{t}"
        );
        assert_eq!(
            message(&op(CPC, "deactivate"), json!({})),
            "The operation cannot be performed because the targeted CPC CLASSIC1 has an active status 'operating' and force is not specified",
            "{t}"
        );
        assert_eq!(
            message(
                &op(CPC, "remove-temp-capacity"),
                json!({"record-id": "R", "processor-info": [{"processor-type": "icf", "num-processor-steps": 1}]})
            ),
            "Cannot reduce the number of 1 icf processors by 1 because at least one processor must remain.",
            "{t}"
        );
        assert_eq!(
            message(
                &op(CPC, "add-temp-capacity"),
                json!({"record-id": "R", "test": false, "processor-info": [{"processor-type": "gpu"}]})
            ),
            "Invalid processor type gpu was specified in a processor-info entry",
            "{t}"
        );
    });
}
