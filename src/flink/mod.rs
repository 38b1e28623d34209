//! Flink SQL Gateway client (issue 5, in progress). So far: the result
//! format of FetchResults decoded into Arrow ([`result`]).

pub mod result;
