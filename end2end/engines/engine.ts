import type { Query } from "./locate";

/**
 * What the Firefox and WebKit flows need from a browser, implemented over
 * WebDriver BiDi (Firefox, puppeteer-core) and classic WebDriver (WebKit,
 * WebKitWebDriver). Both use the browsers Debian installs; nothing is
 * downloaded.
 */
export type EngineName = "firefox" | "webkit";

export interface Cookie {
  name: string;
  value: string;
  path: string;
}

/** An element found in a tab; valid until that document goes away. */
export interface Found {
  readonly ref: unknown;
}

export type Key = "Tab" | "Space" | "Enter";

export interface Tab {
  readonly engine: EngineName;
  goto(url: string): Promise<void>;
  url(): Promise<string>;
  back(): Promise<void>;
  /** Runs `fn` in the page with JSON-serialisable arguments and result. */
  run<T, A extends unknown[]>(fn: (...args: A) => T | Promise<T>, ...args: A): Promise<T>;
  find(query: Query): Promise<Found | null>;
  click(el: Found): Promise<void>;
  type(el: Found, text: string): Promise<void>;
  press(key: Key): Promise<void>;
  /** The cookies the browser would send to the current page. */
  cookies(): Promise<Cookie[]>;
  screenshot(file: string): Promise<void>;
  setViewport(width: number, height: number): Promise<void>;
  /** Errors and warnings the pages of this tab wrote to the console. */
  consoleErrors(): Promise<string[]>;
  /** Another tab of the same browser profile (same cookies). */
  openTab(): Promise<Tab>;
  /** Makes this tab the one in front. */
  bringToFront(): Promise<void>;
}

/** A browser profile of its own: no cookies, no history. */
export interface Profile {
  readonly tab: Tab;
  close(): Promise<void>;
}

export interface Engine {
  readonly name: EngineName;
  /** `javaScript: false` is offered by Firefox only. */
  newProfile(opts?: { javaScript?: boolean }): Promise<Profile>;
  close(): Promise<void>;
}

