//! One integration-test binary (each extra binary costs a link).

mod support;

mod errors;
mod health;
mod openapi;
mod queue;
mod schema;
mod spa;
