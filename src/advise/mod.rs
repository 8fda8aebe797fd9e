//! The advice itself: answers and how they are read, the conditions over them, the interview that
//! gathers them, and the rules engine that turns them into a recommendation. Knows nothing of the
//! command line or of output formats.

pub mod answers;
pub mod conditions;
pub mod engine;
pub mod interview;
