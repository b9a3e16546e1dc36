use serde::{Deserialize, Serialize};

use super::Secret;

/// The answer of `POST /api/v1/verify`.
#[derive(Debug, Clone, Deserialize)]
pub struct TokenResponse {
    #[serde(deserialize_with = "secret")]
    pub access_token: Secret,
    #[serde(default, deserialize_with = "opt_secret")]
    pub id_token: Option<Secret>,
    #[serde(default)]
    pub expires_in: Option<u64>,
    #[serde(default)]
    pub expires_at: Option<String>,
}

/// The User JSON of `POST /api/v1/userinfo`. Fields CentralAuth may leave
/// out default rather than fail the sign-in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: String,
    pub email: String,
    #[serde(default)]
    pub gravatar: Option<String>,
    #[serde(default)]
    pub verified: bool,
    #[serde(default)]
    pub blocked: bool,
    #[serde(default)]
    pub organization_id: Option<String>,
    #[serde(default)]
    pub created: Option<String>,
    #[serde(default)]
    pub updated: Option<String>,
    #[serde(default)]
    pub last_login: Option<String>,
    #[serde(default)]
    pub affirmation_date: Option<String>,
}

/// What the browser told us about itself, forwarded so that CentralAuth's
/// hijack protection compares like with like.
#[derive(Debug, Clone, Default)]
pub struct ClientContext {
    pub user_agent: Option<String>,
    pub ip: Option<std::net::IpAddr>,
}

/// Optional parts of the login redirect.
#[derive(Debug, Clone, Default)]
pub struct LoginParams<'a> {
    pub redirect_uri: &'a str,
    pub state: &'a str,
    pub code_challenge: &'a str,
    pub email: Option<&'a str>,
    pub error_description: Option<&'a str>,
    /// `affirm=1`: CentralAuth asks the user to confirm who they are, even
    /// with a live session (its "affirmation").
    pub affirm: bool,
}

fn secret<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Secret, D::Error> {
    String::deserialize(d).map(Secret::new)
}

fn opt_secret<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Secret>, D::Error> {
    Ok(Option::<String>::deserialize(d)?
        .filter(|s| !s.is_empty())
        .map(Secret::new))
}
