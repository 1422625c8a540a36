//! Report tests (issue #7).
