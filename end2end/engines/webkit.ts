import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";

import type { Cookie, Engine, Found, Key, Profile, Tab } from "./engine";
import { locateInPage, type Query } from "./locate";
import { isElement, Session, type ElementRef } from "./webdriver";

/**
 * Debian's WebKitGTK (scripts/setup.sh: webkit2gtk-driver, xvfb): its
 * MiniBrowser under WebKitWebDriver, in an Xvfb display of its own. Each
 * profile is a WebDriver session, that is a fresh MiniBrowser.
 */
const DRIVER = process.env.WEBKIT_DRIVER_PATH ?? "/usr/bin/WebKitWebDriver";

function miniBrowser(): string {
  if (process.env.WEBKIT_MINIBROWSER) return process.env.WEBKIT_MINIBROWSER;
  for (const dir of fs.readdirSync("/usr/lib")) {
    const candidate = path.join("/usr/lib", dir, "webkit2gtk-4.1", "MiniBrowser");
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error("WebKitGTK's MiniBrowser is missing: run scripts/setup.sh test (Debian package webkit2gtk-driver)");
}

const KEYS: Record<Key, string> = { Tab: "\uE004", Enter: "\uE007", Space: "\uE00D" };

/** Runs in the page: records console errors and warnings from now on. */
function watchConsole(): void {
  const w = window as unknown as { __engineConsole?: { errors: string[] } };
  if (w.__engineConsole) return;
  const log = { errors: [] as string[] };
  for (const level of ["error", "warn"] as const) {
    const original = console[level].bind(console);
    console[level] = (...args: unknown[]) => {
      log.errors.push(`${level}: ${args.map(String).join(" ")}`);
      original(...args);
    };
  }
  addEventListener("error", (e) => log.errors.push(`uncaught: ${e.message}`));
  addEventListener("unhandledrejection", (e) => log.errors.push(`unhandled rejection: ${String(e.reason)}`));
  w.__engineConsole = log;
}

function consoleLog(): string[] {
  return (window as unknown as { __engineConsole?: { errors: string[] } }).__engineConsole?.errors ?? [];
}

/** One WebDriver session's windows share a cursor: each tab switches to itself first. */
class Windows {
  current = "";
  constructor(readonly session: Session) {}
  async use(handle: string): Promise<Session> {
    if (this.current !== handle) {
      await this.session.switchTo(handle);
      this.current = handle;
    }
    return this.session;
  }
}

class WebKitTab implements Tab {
  readonly engine = "webkit" as const;
  private readonly earlier: string[] = [];
  private readonly opened: WebKitTab[] = [];

  constructor(
    private readonly windows: Windows,
    private readonly handle: string,
  ) {}

  private s(): Promise<Session> {
    return this.windows.use(this.handle);
  }

  /** Keeps what the document now shown logged, before it goes. */
  private async harvest(): Promise<void> {
    const errors = await this.run(consoleLog).catch(() => [] as string[]);
    this.earlier.push(...errors);
  }

  /**
   * WebKitWebDriver runs a script only once the page has loaded, and by then
   * the bundle may have hydrated it: the console is watched from there on
   * (and hydration checked by its outcome, `data-hydrated`). WebKit writes
   * no console to stdout for automation's private sessions.
   */
  async goto(url: string): Promise<void> {
    await this.harvest();
    await (await this.s()).navigate(url);
    await this.run(watchConsole);
  }

  async url(): Promise<string> {
    return (await this.s()).currentUrl();
  }

  async back(): Promise<void> {
    await this.harvest();
    await (await this.s()).back();
  }

  async run<T, A extends unknown[]>(fn: (...args: A) => T | Promise<T>, ...args: A): Promise<T> {
    return (await (await this.s()).execute(`return (${fn.toString()}).apply(null, arguments);`, args)) as T;
  }

  async find(query: Query): Promise<Found | null> {
    const el = await this.run(locateInPage as (q: Query) => unknown, query);
    return isElement(el) ? { ref: el } : null;
  }

  async click(el: Found): Promise<void> {
    await this.harvest();
    await (await this.s()).click(el.ref as ElementRef);
    await this.run(watchConsole).catch(() => undefined);
  }

  async type(el: Found, text: string): Promise<void> {
    await (await this.s()).sendKeys(el.ref as ElementRef, text);
  }

  async press(key: Key): Promise<void> {
    await (await this.s()).key(KEYS[key]);
  }

  async cookies(): Promise<Cookie[]> {
    return (await (await this.s()).cookies()).map((c) => ({ name: c.name, value: c.value, path: c.path }));
  }

  async screenshot(file: string): Promise<void> {
    fs.writeFileSync(file, await (await this.s()).screenshot());
  }

  async setViewport(width: number, height: number): Promise<void> {
    await (await this.s()).setWindowRect(width, height);
  }

  async consoleErrors(): Promise<string[]> {
    const now = await this.run(consoleLog).catch(() => [] as string[]);
    const theirs = await Promise.all(this.opened.map((t) => t.consoleErrors()));
    return [...this.earlier, ...now, ...theirs.flat()];
  }

  async openTab(): Promise<Tab> {
    const tab = new WebKitTab(this.windows, await this.windows.session.newWindow());
    this.opened.push(tab);
    return tab;
  }

  async bringToFront(): Promise<void> {
    await this.s();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** Xvfb on the first free display; resolves to ":N". */
function startXvfb(): Promise<{ display: string; proc: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const proc = spawn("Xvfb", ["-displayfd", "3", "-screen", "0", "1600x1200x24", "-nolisten", "tcp"], {
      stdio: ["ignore", "ignore", "pipe", "pipe"],
    });
    let err = "";
    proc.stderr!.on("data", (d) => (err += d));
    proc.once("error", (e) => reject(new Error(`Xvfb did not start (${e.message}): run scripts/setup.sh test`)));
    proc.once("exit", (code) => reject(new Error(`Xvfb exited with ${code}: ${err}`)));
    (proc.stdio[3] as NodeJS.ReadableStream).once("data", (d) => resolve({ display: `:${String(d).trim()}`, proc }));
  });
}

async function waitForDriver(base: string, driver: ChildProcess): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (driver.exitCode !== null) throw new Error(`WebKitWebDriver exited with ${driver.exitCode}`);
    try {
      if ((await fetch(`${base}/status`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("WebKitWebDriver did not answer within 10 s");
}

export async function launchWebKit(): Promise<Engine> {
  const binary = miniBrowser();
  const xvfb = await startXvfb();
  const port = await freePort();
  const driver = spawn(DRIVER, [`--port=${port}`], {
    env: { ...process.env, DISPLAY: xvfb.display },
    stdio: "ignore",
  });
  const server = `http://127.0.0.1:${port}`;
  try {
    await waitForDriver(server, driver);
  } catch (e) {
    driver.kill();
    xvfb.proc.kill();
    throw e;
  }
  return {
    name: "webkit",
    async newProfile(opts = {}): Promise<Profile> {
      if (opts.javaScript === false) throw new Error("the WebKit flows run with JavaScript (Firefox covers it off)");
      const session = await Session.create(server, {
        "webkitgtk:browserOptions": { binary, args: ["--automation"] },
      });
      await session.setWindowRect(1280, 800);
      const windows = new Windows(session);
      windows.current = await session.windowHandle();
      return { tab: new WebKitTab(windows, windows.current), close: () => session.close() };
    },
    async close() {
      driver.kill();
      xvfb.proc.kill();
    },
  };
}
