//! The writer lane: one thread per server that runs its plain writes one
//! after the other (`dispatch::Mode::Lane`).
//!
//! Every write of a process goes through its one writer connection in
//! turn anyway. Handed to a blocking thread each, a write woke that
//! thread, queued it for the writer connection, and queued it again for
//! its group's commit: under load, thread wake-ups were about a third of
//! an Update's CPU time (docs/benchmarks.md). The lane takes the writes
//! in the order they come and runs each on the writer connection with no
//! wake-up between them while it has work. What it gives back (a read, a
//! fault rule's request, the admin API) goes the blocking way as before.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};

use tokio::sync::oneshot;

use crate::api::{Request, Response};
use crate::hmc::Hmc;

/// What the lane answers.
pub(super) enum Answer {
    Done(Response),
    /// Not a plain write: the request, as it came.
    GivenBack(Request),
}

/// One request for the lane, and where its answer goes.
struct Job {
    request: Request,
    reply: oneshot::Sender<Answer>,
}

/// The sending end of a server's lane; the lane's thread ends once this
/// is dropped and its queue is empty.
pub(super) struct Lane {
    jobs: Sender<Job>,
}

impl Lane {
    /// Starts the lane's thread for `hmc`.
    pub(super) fn start(hmc: Arc<Hmc>) -> std::io::Result<Lane> {
        let (jobs, queue) = channel();
        std::thread::Builder::new()
            .name("writer-lane".into())
            .spawn(move || run(&hmc, &queue))?;
        Ok(Lane { jobs })
    }

    /// Whether `request` is for the lane: a write outside the admin API
    /// (the lane gives back what turns out not to be a plain write).
    pub(super) fn takes(request: &Request) -> bool {
        request.method.writes() && !request.path().starts_with("/mock/")
    }

    /// Runs `request` in the lane. `None`: the lane is gone, or the
    /// request panicked there (the caller answers 500).
    pub(super) async fn answer(&self, request: Request) -> Option<Answer> {
        let (reply, answered) = oneshot::channel();
        self.jobs.send(Job { request, reply }).ok()?;
        answered.await.ok()
    }
}

fn run(hmc: &Hmc, queue: &Receiver<Job>) {
    while let Ok(Job { request, reply }) = queue.recv() {
        // A panicking request drops its reply unsent (the caller's 500);
        // the writer connection is fit for the next one (`store::writer`
        // rolls back a write that panics).
        let answered = catch_unwind(AssertUnwindSafe(|| hmc.answer_in_lane(&request)));
        match answered {
            Ok(Some(response)) => drop(reply.send(Answer::Done(response))),
            Ok(None) => drop(reply.send(Answer::GivenBack(request))),
            Err(_) => {
                tracing::error!(method = %request.method, uri = %request.uri, "request panicked")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::FaultSpec;
    use crate::api::Method;

    fn on_lane(lane: &Lane, request: Request) -> Answer {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(lane.answer(request)).unwrap()
    }

    #[test]
    fn the_lane_runs_plain_writes_and_gives_back_what_it_must_not_run() {
        let dir = tempfile::tempdir().unwrap();
        let hmc = Arc::new(Hmc::open(dir.path().join("h.sqlite")).unwrap());
        let lane = Lane::start(hmc.clone()).unwrap();
        let s = hmc.logon("ensadmin", "password").unwrap();
        let with_session = |r: Request| Request {
            session_id: Some(s.id().to_string()),
            ..r
        };
        let update = |text: &str| {
            with_session(
                Request::new(Method::Post, "/api/partitions/linux1")
                    .with_json(&json!({"description": text})),
            )
        };
        let description = || {
            let get = with_session(Request::new(Method::Get, "/api/partitions/linux1"));
            hmc.handle(&get).json().unwrap()["description"].clone()
        };

        let Answer::Done(done) = on_lane(&lane, update("from the lane")) else {
            panic!("a plain write was given back");
        };
        assert_eq!(done.status, 204);
        assert_eq!(description(), "from the lane");

        // A POST that only reads is given back as it came.
        let inventory = with_session(
            Request::new(Method::Post, "/api/services/inventory")
                .with_json(&json!({"resources": ["partition"]})),
        );
        let Answer::GivenBack(given_back) = on_lane(&lane, inventory.clone()) else {
            panic!("Get Inventory ran in the lane");
        };
        assert_eq!(given_back.uri, inventory.uri);
        assert_eq!(given_back.body, inventory.body);

        // A write that meets a fault rule is given back with nothing done:
        // its rule is not used up, the write did not happen.
        hmc.add_fault(&FaultSpec {
            method: Some("post".into()),
            uri: Some("/api/partitions/linux1".into()),
            delay_ms: Some(1),
            count: Some(1),
            ..FaultSpec::default()
        })
        .unwrap();
        assert!(matches!(
            on_lane(&lane, update("faulted")),
            Answer::GivenBack(_)
        ));
        assert_eq!(description(), "from the lane");
        assert_eq!(hmc.faults().unwrap()[0].matched, 0);
        // The blocking way then runs it, its delay included.
        assert_eq!(hmc.handle(&update("faulted")).status, 204);
        assert_eq!(description(), "faulted");
        assert_eq!(hmc.faults().unwrap()[0].matched, 1);
    }
}
