import { createHash, randomUUID } from "node:crypto";
import { expect, type APIRequestContext } from "@playwright/test";
import { jwtDecrypt, type JWTPayload } from "jose";
import { NPM_SIBLING, PROVIDER } from "../../urls";

// The sibling never serves a page at NPM_SIBLING: it reads the code from the
// provider's redirect, as its callback would.
export { NPM_SIBLING };
const CLIENT_ID = "dev-organization";
// The 32-byte development secret: `jose`, called as the library calls it,
// accepts a raw key only at 16, 24 or 32 bytes (see src/dev_centralauth/jwe.rs).
export const DEV_SECRET = "dev-secret-not-for-production-v2";
const CALLBACK = `${NPM_SIBLING}/api/auth/callback`;

export type TokenPayload = JWTPayload & { sessionId: string; user?: { email: string } };

/**
 * An app built on CentralAuth's NPM library (`CentralAuthClass`, 1.0.1),
 * played over HTTP step by step as the library does it: a 36-character UUID
 * as PKCE verifier, a multipart (`FormData`) verify with Basic auth, local
 * decryption of the tokens with `jose`, userinfo with the token as
 * `text/plain`, and `logoutSessionWide` as `POST /api/v1/logout`.
 */
export class NpmSibling {
  accessToken = "";
  idToken = "";

  constructor(readonly secret: string = DEV_SECRET) {}

  private get basic(): string {
    // The library does not URL-encode before base64.
    return "Basic " + Buffer.from(`${CLIENT_ID}:${this.secret}`).toString("base64");
  }

  /**
   * `login()`, the browser's visit to the provider (`browser` shares the
   * page's cookies) which must come straight back by autologin, then
   * `callback()`'s code exchange.
   */
  async signIn(browser: APIRequestContext): Promise<void> {
    const verifier = randomUUID();
    expect(verifier).toHaveLength(36);
    const returnTo = new URLSearchParams({ return_to: `${NPM_SIBLING}/` });
    const login = new URL(`${PROVIDER}/login`);
    login.search = new URLSearchParams({
      redirect_uri: `${CALLBACK}?${returnTo}`,
      client_id: CLIENT_ID,
      response_type: "code",
      state: randomUUID(),
      code_challenge: createHash("sha256").update(verifier).digest("base64url"),
      code_challenge_method: "S256",
    }).toString();

    const visit = await browser.get(login.toString(), { maxRedirects: 0 });
    // A redirect, not the sign-in form: the provider session is shared.
    expect([302, 303], "the provider showed its form").toContain(visit.status());
    const back = new URL(visit.headers()["location"]);
    expect(`${back.origin}${back.pathname}`).toBe(CALLBACK);
    const code = back.searchParams.get("code");
    expect(code, `no code in ${back}`).toBeTruthy();

    const form = new FormData();
    form.append("code", code!);
    form.append("redirect_uri", CALLBACK);
    form.append("code_verifier", verifier);
    const res = await fetch(`${PROVIDER}/api/v1/verify`, {
      method: "POST",
      headers: { Authorization: this.basic },
      body: form,
    });
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(200);
    this.accessToken = body.access_token;
    this.idToken = body.id_token;
  }

  /** `getDecodedToken`: exactly the library's call. */
  async decrypt(token: string, secret = this.secret): Promise<{ payload: TokenPayload; alg?: string; enc?: string }> {
    const { payload, protectedHeader } = await jwtDecrypt<TokenPayload>(token, new TextEncoder().encode(secret));
    return { payload, alg: protectedHeader.alg, enc: protectedHeader.enc };
  }

  /** `getUserData`: decrypt locally, then ask userinfo. */
  async userinfo(): Promise<{ status: number; body: { email?: string; errorCode?: string } }> {
    await this.decrypt(this.accessToken);
    const res = await fetch(`${PROVIDER}/api/v1/userinfo?domain=${encodeURIComponent(NPM_SIBLING)}`, {
      method: "POST",
      headers: {
        "Content-Type": "text/plain",
        Authorization: this.basic,
        "user-agent": "npm-sibling-test",
        "auth-ip": "127.0.0.1",
      },
      body: this.accessToken,
    });
    return { status: res.status, body: await res.json() };
  }

  /** `logout({ logoutSessionWide: true })`, server side. */
  async logoutSessionWide(): Promise<number> {
    const res = await fetch(`${PROVIDER}/api/v1/logout`, {
      method: "POST",
      headers: { "Content-Type": "text/plain", Authorization: this.basic },
      body: this.accessToken,
    });
    return res.status;
  }
}
