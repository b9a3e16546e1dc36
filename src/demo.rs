//! The smallest complete server function: a form that works with and without
//! JavaScript, validated on the server. Keep it as a pattern or delete it.

use leptos::prelude::*;

use crate::form::PostForm;

pub const MAX_NAME_CHARS: usize = 60;

#[server(prefix = "/api", endpoint = "greet")]
pub async fn greet(name: String) -> Result<String, ServerFnError> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static GREETINGS: AtomicU64 = AtomicU64::new(0);

    let name = validate_name(&name).map_err(ServerFnError::new)?;
    let n = GREETINGS.fetch_add(1, Ordering::Relaxed) + 1;
    Ok(format!("Hello, {name}! (greeting #{n} from the server)"))
}

/// Trims and checks a display name; the error is shown to the user as is.
pub fn validate_name(raw: &str) -> Result<&str, String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err("Please enter a name.".into());
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(format!("Please use at most {MAX_NAME_CHARS} characters."));
    }
    if name.chars().any(char::is_control) {
        return Err("Please use printable characters only.".into());
    }
    Ok(name)
}

#[component]
pub fn GreetingForm() -> impl IntoView {
    let greet = ServerAction::<Greet>::new();
    let result = greet.value();
    let name = NodeRef::<leptos::html::Input>::new();
    // A plain form post without JavaScript; with it, the typed arguments go
    // through the action.
    let input = move || Greet {
        name: name
            .get_untracked()
            .map(|input| input.value())
            .unwrap_or_default(),
    };
    view! {
        <section class="panel">
            <h2>"Server function round trip"</h2>
            <PostForm action=greet input>
                <label for="greet-name">"Your name"</label>
                <div class="row">
                    <input
                        node_ref=name
                        id="greet-name"
                        type="text"
                        name="name"
                        autocomplete="name"
                    />
                    <button type="submit" disabled=move || greet.pending().get()>
                        "Greet me"
                    </button>
                </div>
            </PostForm>
            <p role="status" data-testid="greeting">
                {move || match result.get() {
                    None => String::new(),
                    Some(Ok(text)) => text,
                    Some(Err(e)) => format!("Error: {}", server_message(&e)),
                }}
            </p>
        </section>
    }
}

fn server_message(e: &ServerFnError) -> String {
    match e {
        ServerFnError::ServerError(msg) => msg.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(validate_name("  Ada "), Ok("Ada"));
        assert!(validate_name("   ").is_err());
        assert!(validate_name(&"x".repeat(MAX_NAME_CHARS + 1)).is_err());
        assert!(validate_name("a\u{7}b").is_err());
    }
}
