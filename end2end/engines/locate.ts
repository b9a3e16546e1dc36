/**
 * Finding elements the way the Chromium suite does (role and accessible
 * name, test id), inside the page: WebDriver has no role locators, and the
 * same function serves both engines. It is sent to the page as source, so it
 * refers to nothing outside itself.
 */

export type Role = "alert" | "banner" | "button" | "checkbox" | "form" | "heading" | "link" | "textbox";

export interface Query {
  role?: Role;
  /** The accessible name: equal to this (whitespace collapsed), or containing it with `partial`. */
  name?: string;
  partial?: boolean;
  testId?: string;
  /** Only inside the first match of this query. */
  within?: Query;
}

export function describe(q: Query): string {
  const what = q.role ? `${q.role}${q.name ? ` "${q.name}"` : ""}` : q.testId ? `[data-testid=${q.testId}]` : `"${q.name}"`;
  return q.within ? `${what} in ${describe(q.within)}` : what;
}

/** Runs in the page: the first visible element matching `q`, or null. */
export function locateInPage(q: Query): Element | null {
  const byRole: Record<string, string> = {
    alert: '[role="alert"]',
    banner: 'body > header, [role="banner"]',
    button: 'button, input[type="submit"], input[type="button"], [role="button"]',
    checkbox: 'input[type="checkbox"], [role="checkbox"]',
    form: 'form[aria-label], form[aria-labelledby], [role="form"]',
    heading: 'h1, h2, h3, h4, h5, h6, [role="heading"]',
    link: 'a[href], [role="link"]',
    textbox: 'input[type="email"], input[type="text"], input:not([type]), textarea, [role="textbox"]',
  };
  const norm = (s: string | null | undefined) => (s ?? "").replace(/\s+/g, " ").trim();
  const nameOf = (el: Element): string => {
    const label = el.getAttribute("aria-label");
    if (label) return norm(label);
    const by = el.getAttribute("aria-labelledby");
    if (by) return norm(by.split(/\s+/).map((id) => document.getElementById(id)?.textContent ?? "").join(" "));
    if (el instanceof HTMLInputElement) {
      if (el.labels && el.labels.length > 0) return norm(Array.from(el.labels).map((l) => l.textContent).join(" "));
      if (el.type === "submit" || el.type === "button") return norm(el.value);
      return "";
    }
    return norm(el.textContent);
  };
  const visible = (el: Element) =>
    el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
  const find = (query: Query, root: ParentNode): Element | null => {
    let scope: ParentNode | null = root;
    if (query.within) scope = find(query.within, root);
    if (!scope) return null;
    const selector = query.role ? byRole[query.role] : query.testId ? `[data-testid="${query.testId}"]` : "*";
    for (const el of Array.from(scope.querySelectorAll(selector))) {
      if (!visible(el)) continue;
      if (query.name !== undefined) {
        const name = nameOf(el);
        if (query.partial ? !name.includes(query.name) : name !== query.name) continue;
      }
      return el;
    }
    return null;
  };
  return find(q, document);
}
