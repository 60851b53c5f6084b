//! The shared machinery every resource family is written in: the
//! declarative table (`descriptor`), the generic operations driven by it (`generic`),
//! the runner of special operations (`runner`), the named preconditions, the
//! request-body readers (`fields`) and Python's view of JSON (`python`).
//! Nothing here names a resource family except through `resources::ALL`.

pub mod audit;
pub mod descriptor;
pub mod fields;
pub mod generic;
pub mod preconditions;
pub mod python;
pub mod runner;
