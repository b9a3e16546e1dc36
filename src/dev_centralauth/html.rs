//! The provider's few HTML pages, rendered by hand: it has no Leptos in it.

/// Escapes text for HTML element content and double-quoted attributes.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The pages' one inline stylesheet, allowed by its hash (see `DevProvider::router`).
pub const STYLE: &str = "body{font-family:system-ui,sans-serif;background:#eef1f6;margin:0;color:#1b1f24}\
main{max-width:26rem;margin:3rem auto;background:#fff;border:1px solid #d8dee4;border-radius:12px;padding:1.5rem}\
.tag{display:inline-block;background:#fff3bf;color:#5c3c00;border-radius:999px;padding:.15rem .6rem;font-size:.8rem;font-weight:600}\
label{display:block;font-weight:600;margin:.75rem 0 .3rem}input[type=email]{width:100%;padding:.5rem;border:1px solid #aab3bd;border-radius:6px;font:inherit;box-sizing:border-box}\
button{margin-top:.75rem;padding:.5rem 1rem;border-radius:6px;border:1px solid #3b5bdb;background:#3b5bdb;color:#fff;font:inherit;cursor:pointer}\
button.link{background:none;color:#3b5bdb;border-color:#c5cde8}.demo{display:flex;gap:.5rem;flex-wrap:wrap}\
.error{background:#fff5f5;border:1px solid #c92a2a;border-radius:6px;padding:.5rem .75rem;color:#8a1c1c}\
:focus-visible{outline:3px solid #3b5bdb;outline-offset:2px}";

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} · Development CentralAuth</title><style>{STYLE}</style></head>\
         <body><main><p class=\"tag\">Development CentralAuth</p>{body}</main></body></html>",
        esc(title)
    )
}

pub struct LoginForm<'a> {
    pub hidden: &'a [(&'a str, &'a str)],
    pub email: &'a str,
    pub app_origin: &'a str,
    pub error: Option<&'a str>,
    pub notice: Option<&'a str>,
    pub demo_users: &'a [&'a str],
    /// An affirmation: "confirm it's you" instead of "sign in".
    pub affirm: bool,
}

pub fn login(form: &LoginForm<'_>) -> String {
    let hidden: String = form
        .hidden
        .iter()
        .map(|(k, v)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                esc(k),
                esc(v)
            )
        })
        .collect();
    let error = form
        .error
        .map(|e| {
            format!(
                "<p class=\"error\" role=\"alert\" id=\"email-error\">{}</p>",
                esc(e)
            )
        })
        .unwrap_or_default();
    let notice = form
        .notice
        .map(|n| format!("<p class=\"error\" role=\"status\">{}</p>", esc(n)))
        .unwrap_or_default();
    let demo: String = form
        .demo_users
        .iter()
        .map(|u| {
            format!(
                "<button class=\"link\" type=\"submit\" name=\"demo_email\" value=\"{0}\">{0}</button>",
                esc(u)
            )
        })
        .collect();
    let described = if form.error.is_some() {
        " aria-describedby=\"email-error\" aria-invalid=\"true\""
    } else {
        ""
    };
    let (title, intro) = if form.affirm {
        (
            "Confirm it's you",
            "<strong>{app}</strong> asks you to confirm who you are before it goes on. No password: type the e-mail address you are signed in with.",
        )
    } else {
        (
            "Sign in",
            "to <strong>{app}</strong>. No password: this development provider signs in any e-mail address.",
        )
    };
    let intro = intro.replace("{app}", &esc(form.app_origin));
    page(
        title,
        &format!(
            "<h1>{title}</h1>\
             <p>{intro}</p>\
             {notice}\
             <form method=\"post\" action=\"login\">{hidden}\
             <label for=\"email\">E-mail address</label>\
             <input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"email\" value=\"{email}\" autofocus{described}>\
             {error}\
             <button type=\"submit\">Continue</button>\
             <p>Or pick a demo user:</p><div class=\"demo\">{demo}</div>\
             <button class=\"link\" type=\"submit\" name=\"cancel\" value=\"1\" formnovalidate>Cancel sign-in</button>\
             </form>",
            email = esc(form.email),
        ),
    )
}

pub fn problem(code: &str, message: &str) -> String {
    page(
        "Sign-in request refused",
        &format!(
            "<h1>This sign-in request was refused</h1><p class=\"error\" role=\"alert\">{}</p>\
             <p>Error code: <code>{}</code>. The app that sent you here is not registered with this provider, \
             or sent an incomplete request, so you are not sent back to it.</p>",
            esc(message),
            esc(code)
        ),
    )
}

pub fn index(signed_in_as: Option<&str>, origins: &[String]) -> String {
    let who = match signed_in_as {
        Some(email) => format!(
            "<p>This browser is signed in as <strong>{}</strong>.</p>",
            esc(email)
        ),
        None => "<p>This browser is not signed in here.</p>".to_string(),
    };
    let apps: String = origins
        .iter()
        .map(|o| format!("<li><a href=\"{0}\">{0}</a></li>", esc(o)))
        .collect();
    page(
        "Overview",
        &format!("<h1>Development CentralAuth</h1>{who}<p>Registered apps:</p><ul>{apps}</ul>"),
    )
}

/// A round avatar with the user's initial, so avatars work offline.
pub fn avatar_svg(letter: char, hue: u16) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"80\" height=\"80\" viewBox=\"0 0 80 80\">\
         <circle cx=\"40\" cy=\"40\" r=\"40\" fill=\"hsl({hue},55%,45%)\"/>\
         <text x=\"40\" y=\"52\" font-family=\"sans-serif\" font-size=\"36\" text-anchor=\"middle\" fill=\"#fff\">{}</text></svg>",
        esc(&letter.to_string())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_and_quotes() {
        assert_eq!(
            esc(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
