//! xuncha (巡查): audits police case records against the recurring procedural errors
//! (常犯顽疾) of a 108-category catalog, keeps the findings with their rectification
//! lifecycle in SQLite, and reports them by day, week and month.
//!
//! Modules: [`model`] (the case format), [`import`] (reading exports), [`engine`] (the rhai
//! checks), [`store`] (all SQL), [`audit`] (a nightly run), [`explain`] (one case, every
//! check), [`console`] (the web console), [`gen`] (synthetic cases), [`roster`] (a bureau's
//! roster file), [`cli`] (the command line).

pub mod audit;
pub mod cli;
pub mod console;
pub mod engine;
pub mod explain;
pub mod gen;
pub mod import;
pub mod model;
pub mod report;
pub mod roster;
pub mod store;
