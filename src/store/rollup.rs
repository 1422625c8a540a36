//! Rollup queries for reports (issue #7).
