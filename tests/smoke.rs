//! The fixtures themselves work: both transports log on and read the console.

mod support;

use mock_hmc::Method;
use support::both;

#[test]
fn both_transports_read_the_console() {
    both(|c, s| {
        let r = c.send(Method::Get, "/api/console", Some(s), None);
        assert_eq!(r.status, 200, "{}: {:?}", c.transport(), r.body);
        assert_eq!(r.body["name"], "MOCKHMC1", "{}", c.transport());
    });
}
