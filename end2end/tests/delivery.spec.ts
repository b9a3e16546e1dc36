import { expect, test } from "./fixtures";
import type { APIRequestContext, Response } from "@playwright/test";
import { APP_A, AppPage, uniqueEmail } from "./pages/app";
import { ProviderHooks } from "./pages/provider-hooks";

/** What a cold signed-out visit may transfer at most (issue: phones on slow 4G). */
const COLD_VISIT_CEILING = 300_000;
const IMMUTABLE = "public, max-age=31536000, immutable";
/** `/pkg/<output-name>.<content hash>.<ext>`, as cargo-leptos names them. */
const HASHED = /^\/pkg\/[^/]+\.[A-Za-z0-9_-]{8,}\.(wasm|js|css)$/;

/** The page's bundle files, by kind, read from the HTML the server sends. */
async function bundleFiles(request: APIRequestContext): Promise<Record<"wasm" | "js" | "css", string>> {
  const html = await (await request.get(`${APP_A}/`)).text();
  const find = (ext: string) => {
    const m = new RegExp(`"(/pkg/[^"]+\\.${ext})"`).exec(html);
    expect(m, `the page links a .${ext} file`).not.toBeNull();
    return m![1];
  };
  return { wasm: find("wasm"), js: find("js"), css: find("css") };
}

test.describe("delivery", () => {
  test("a cold signed-out visit stays under its byte ceiling, every text file compressed", async ({ page }) => {
    const responses: Response[] = [];
    page.on("response", (r) => responses.push(r));
    const app = new AppPage(page);
    await app.goto("/");
    await app.waitForHydration();

    let transferred = 0;
    for (const r of responses) {
      const sizes = await r.request().sizes();
      transferred += sizes.responseBodySize + sizes.responseHeadersSize;
    }
    console.log(`cold signed-out visit: ${responses.length} responses, ${transferred} bytes`);
    expect(transferred).toBeLessThanOrEqual(COLD_VISIT_CEILING);

    // The encoding the browser asked for first (Chromium: brotli on https
    // and on loopback, else gzip).
    const document = responses.find((r) => r.request().resourceType() === "document")!;
    const asked = (await document.request().allHeaders())["accept-encoding"] ?? "";
    const best = asked.includes("br") ? "br" : "gzip";
    expect(await document.headerValue("content-encoding")).toBe(best);
    expect(await document.headerValue("cache-control")).toBe("no-store, private");
    for (const ext of ["wasm", "js", "css"]) {
      const r = responses.find((r) => new URL(r.url()).pathname.endsWith(`.${ext}`));
      expect(r, `.${ext} loaded`).toBeDefined();
      const path = new URL(r!.url()).pathname;
      expect(path).toMatch(HASHED);
      expect(await r!.headerValue("content-encoding"), path).toBe(best);
      expect(await r!.headerValue("cache-control"), path).toBe(IMMUTABLE);
      expect(await r!.headerValue("vary"), path).toBe("accept-encoding");
    }
  });

  test("each file is sent in the best encoding the client accepts", async ({ request }) => {
    const files = await bundleFiles(request);
    for (const path of [files.wasm, files.js, files.css]) {
      for (const [accept, expected] of [
        ["br, gzip", "br"],
        ["gzip", "gzip"],
        ["identity", undefined],
      ] as const) {
        const r = await request.get(`${APP_A}${path}`, { headers: { "accept-encoding": accept } });
        expect(r.status(), path).toBe(200);
        expect(r.headers()["content-encoding"], `${path} ${accept}`).toBe(expected);
        expect(r.headers()["vary"], path).toBe("accept-encoding");
      }
    }
    // A file of public/ is not named by content: never kept as immutable.
    const icon = await request.get(`${APP_A}/favicon.ico`);
    expect(icon.headers()["cache-control"]).toBeUndefined();
  });

  test("signed-out pages and JSON are compressed on the fly; signed-in answers are not", async ({ request, page }) => {
    const hooks = new ProviderHooks(request);
    await hooks.reset();
    const br = { "accept-encoding": "br" };
    const signedOut = await request.get(`${APP_A}/`, { headers: br });
    expect(signedOut.headers()["content-encoding"]).toBe("br");

    const app = new AppPage(page);
    await app.goto("/");
    await app.signIn(uniqueEmail("breach"));
    const cookies = await page.context().cookies(APP_A);
    const session = cookies.map((c) => `${c.name}=${c.value}`).join("; ");
    // The page echoes a return_to an attacker chooses next to the user's
    // e-mail: compressed, its length would leak the one through the other.
    for (const path of ["/", "/logout?return_to=%2Faccount", "/api/auth/user"]) {
      const r = await request.get(`${APP_A}${path}`, { headers: { ...br, cookie: session } });
      expect(r.status(), path).toBe(200);
      expect(r.headers()["content-encoding"], path).toBeUndefined();
    }
    // Its bundle files are still compressed: they hold no secret.
    const files = await bundleFiles(request);
    const wasm = await request.get(`${APP_A}${files.wasm}`, { headers: { ...br, cookie: session } });
    expect(wasm.headers()["content-encoding"]).toBe("br");
  });
});
