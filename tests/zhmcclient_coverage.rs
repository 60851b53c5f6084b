//! Every operation zhmcclient 1.26 can send is served by the route table
//! (the list is data: tests/data/zhmcclient_1_26_operations.txt).

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use mock_hmc::test_support::RouteTable;

/// Operations zhmcclient sends that mock-hmc does not serve (yet). This list
/// only shrinks: each entry is a gap, and an entry that is served makes the
/// test fail so that it is removed. The reset/load profile certificate
/// operations are zhmcclient offering Assign/Unassign on every profile
/// type; the HMC has them for image profiles only, so 404 is the right
/// answer there (README "Known deviations").
#[rustfmt::skip]
const KNOWN_MISSING: &[&str] = &[
    "POST /api/cpcs/{cpc-id}/load-activation-profiles/{load-activation-profile-id}/operations/assign-certificate",
    "POST /api/cpcs/{cpc-id}/load-activation-profiles/{load-activation-profile-id}/operations/unassign-certificate",
    "POST /api/cpcs/{cpc-id}/reset-activation-profiles/{reset-activation-profile-id}/operations/assign-certificate",
    "POST /api/cpcs/{cpc-id}/reset-activation-profiles/{reset-activation-profile-id}/operations/unassign-certificate",
];

fn operations() -> Vec<(String, String)> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/zhmcclient_1_26_operations.txt"
    );
    let text = std::fs::read_to_string(path).expect("operations list");
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (m, u) = l.split_once(' ').expect("METHOD URI");
            (m.to_string(), u.trim().to_string())
        })
        .collect()
}

/// Whether the route table answers `method` on `pattern` (placeholders
/// filled with sample ids).
fn served(table: &RouteTable, method: &str, pattern: &str) -> bool {
    let mut sample = String::new();
    let mut in_param = false;
    for c in pattern.chars() {
        match c {
            '{' => in_param = true,
            '}' => {
                in_param = false;
                sample.push_str("x1");
            }
            _ if !in_param => sample.push(c),
            _ => {}
        }
    }
    table
        .lookup(&sample)
        .is_some_and(|(route, _)| route.methods.iter().any(|(m, _)| m.as_str() == method))
}

#[test]
fn the_list_was_read_from_zhmcclient_1_26() {
    let ops = operations();
    // The extraction found 272 distinct operations in 1.26.0; a much shorter
    // list would mean the data file was truncated.
    assert!(ops.len() >= 250, "{} operations", ops.len());
    assert!(ops.iter().any(|(m, u)| m == "POST" && u == "/api/sessions"));
}

#[test]
fn every_zhmcclient_operation_is_served() {
    let table = RouteTable::build();
    let mut unserved = Vec::new();
    let mut no_longer_missing = Vec::new();
    for (m, u) in operations() {
        let key = format!("{m} {u}");
        let is_served = served(&table, &m, &u);
        let listed = KNOWN_MISSING.contains(&key.as_str());
        if !is_served && !listed {
            unserved.push(key);
        } else if is_served && listed {
            no_longer_missing.push(key);
        }
    }
    assert!(
        unserved.is_empty(),
        "zhmcclient operations not served ({}):\n{}",
        unserved.len(),
        unserved.join("\n")
    );
    assert!(
        no_longer_missing.is_empty(),
        "served now; remove from KNOWN_MISSING:\n{}",
        no_longer_missing.join("\n")
    );
}
