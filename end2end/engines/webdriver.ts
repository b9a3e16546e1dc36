/**
 * The few commands of classic WebDriver (W3C) the WebKit flows use, over
 * fetch: WebKitWebDriver speaks nothing else (no BiDi in Debian's build).
 */

const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

export interface ElementRef {
  [ELEMENT]: string;
}

export class WebDriverError extends Error {}

export class Session {
  private constructor(
    private readonly base: string,
    readonly id: string,
  ) {}

  static async create(server: string, capabilities: object): Promise<Session> {
    const value = (await call(server, "POST", "/session", { capabilities: { alwaysMatch: capabilities } })) as {
      sessionId: string;
    };
    return new Session(server, value.sessionId);
  }

  private cmd(method: "GET" | "POST" | "DELETE", path: string, body?: object): Promise<unknown> {
    return call(this.base, method, `/session/${this.id}${path}`, body);
  }

  navigate(url: string) {
    return this.cmd("POST", "/url", { url });
  }

  async currentUrl(): Promise<string> {
    return (await this.cmd("GET", "/url")) as string;
  }

  back() {
    return this.cmd("POST", "/back", {});
  }

  /** `script` is a function body; `arguments` holds `args`. Promises are awaited. */
  execute(script: string, args: unknown[]): Promise<unknown> {
    return this.cmd("POST", "/execute/sync", { script, args });
  }

  click(el: ElementRef) {
    return this.cmd("POST", `/element/${el[ELEMENT]}/click`, {});
  }

  sendKeys(el: ElementRef, text: string) {
    return this.cmd("POST", `/element/${el[ELEMENT]}/value`, { text });
  }

  /** One key pressed and released, on whatever has the focus. */
  async key(code: string) {
    await this.cmd("POST", "/actions", {
      actions: [
        {
          type: "key",
          id: "keyboard",
          actions: [
            { type: "keyDown", value: code },
            { type: "keyUp", value: code },
          ],
        },
      ],
    });
    await this.cmd("DELETE", "/actions");
  }

  async cookies(): Promise<{ name: string; value: string; path: string }[]> {
    return (await this.cmd("GET", "/cookie")) as { name: string; value: string; path: string }[];
  }

  async screenshot(): Promise<Buffer> {
    return Buffer.from((await this.cmd("GET", "/screenshot")) as string, "base64");
  }

  setWindowRect(width: number, height: number) {
    return this.cmd("POST", "/window/rect", { width, height });
  }

  async newWindow(): Promise<string> {
    return ((await this.cmd("POST", "/window/new", { type: "tab" })) as { handle: string }).handle;
  }

  async windowHandle(): Promise<string> {
    return (await this.cmd("GET", "/window")) as string;
  }

  switchTo(handle: string) {
    return this.cmd("POST", "/window", { handle });
  }

  async close(): Promise<void> {
    await this.cmd("DELETE", "").catch(() => undefined);
  }
}

export function isElement(v: unknown): v is ElementRef {
  return typeof v === "object" && v !== null && ELEMENT in v;
}

async function call(base: string, method: string, path: string, body?: object): Promise<unknown> {
  const res = await fetch(base + path, {
    method,
    headers: body ? { "content-type": "application/json" } : undefined,
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = (await res.json()) as { value: unknown };
  if (!res.ok) {
    const v = json.value as { error?: string; message?: string };
    throw new WebDriverError(`${method} ${path}: ${v?.error ?? res.status}: ${v?.message ?? ""}`);
  }
  return json.value;
}
