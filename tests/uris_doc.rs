//! docs/uris.md is the generated coverage list: it must match the route table.

use mock_hmc::routes::RouteTable;

#[test]
fn docs_uris_md_matches_the_route_table() {
    let expected = RouteTable::build().markdown();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/uris.md");
    let actual = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        actual == expected,
        "docs/uris.md is stale: run `cargo run -- routes --markdown > docs/uris.md`"
    );
}
