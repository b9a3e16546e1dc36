import type { FullConfig } from "@playwright/test";
import { APP_A } from "./urls";

/** Waits for the app: `cargo leptos end-to-end` starts the tests before its server listens. */
export default async function globalSetup(config: FullConfig): Promise<void> {
  const base = (config.projects[0]?.use?.baseURL as string | undefined) ?? APP_A;
  const deadline = Date.now() + 60_000;
  let last = "";
  while (Date.now() < deadline) {
    try {
      const res = await fetch(base + "/");
      if (res.status < 500) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = String(err);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the app at ${base} did not answer within 60 s (${last})`);
}
