//! What the sign-in error page may show of CentralAuth's words.

use leptos::prelude::*;

use super::ProviderErrorDetail;

/// The error page's `code` and `detail`, if the callback signed them for
/// this browser within the last minutes; `None` for a crafted link, a link
/// opened in another browser, or an old one.
#[server(prefix = "/api/auth/fn", endpoint = "error_detail")]
pub async fn checked_error_detail(
    code: String,
    detail: String,
    at: String,
    sig: String,
) -> Result<Option<ProviderErrorDetail>, ServerFnError> {
    use crate::rules::{cookies, state as signed};
    let (state, parts) = crate::state::request_context()?;
    let verifier = cookies::read(
        &parts.headers,
        cookies::code_verifier(state.secure_cookies()),
    )
    .unwrap_or_default();
    let shown = signed::ErrorDetail {
        code: &code,
        detail: &detail,
        at: at.parse().unwrap_or(0),
    };
    let authentic = signed::error_detail_is_authentic(
        &state.state_key,
        shown,
        &verifier,
        &sig,
        signed::now_unix(),
    );
    Ok(authentic.then_some(ProviderErrorDetail { code, detail }))
}
