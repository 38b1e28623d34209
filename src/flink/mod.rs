//! Flink SQL Gateway client (issue 5, in progress). So far: the result
//! format of FetchResults decoded into Arrow ([`result`]) and error
//! responses turned into user-facing errors ([`errors`]).

pub mod errors;
pub mod result;
