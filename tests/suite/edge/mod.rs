//! The HTTP edge, as the second adversarial review met it: the security
//! headers on every kind of response, request lines that are not a path,
//! made-up session cookies (no provider call, no log line), what the page
//! after a logout may claim, CentralAuth's words on the sign-in error
//! page, and a flood of idle connections.
mod compression;
mod cookies;
mod flood;
mod headers;
mod landing;
mod pages;
mod signin;
mod targets;
