import { createHash } from "node:crypto";
import { expect, type APIRequestContext } from "@playwright/test";
import { PROVIDER } from "../../urls";


export type Call = {
  endpoint: "verify" | "userinfo" | "logout";
  basic_auth_ok: boolean;
  content_type: string | null;
  auth_ip: string | null;
  token_fingerprint: string | null;
  session_id: string | null;
  status: number;
};

export type Fault = {
  endpoint?: "verify" | "userinfo" | "logout";
  delay_ms?: number;
  status?: number;
  error_code?: string;
  message?: string;
  times?: number;
};

/** The development provider's test hooks: faults in, calls out. */
export class ProviderHooks {
  /** `provider`: the embedded one of app A unless another is named. */
  constructor(
    readonly request: APIRequestContext,
    provider: string = PROVIDER,
  ) {
    this.hooks = `${provider}/_test`;
  }

  private readonly hooks: string;

  async reset(): Promise<void> {
    expect((await this.request.delete(`${this.hooks}/faults`)).ok()).toBeTruthy();
    expect((await this.request.delete(`${this.hooks}/calls`)).ok()).toBeTruthy();
  }

  async fault(f: Fault): Promise<void> {
    const res = await this.request.post(`${this.hooks}/faults`, { data: f });
    expect(res.ok(), await res.text()).toBeTruthy();
  }

  async clearFaults(): Promise<void> {
    expect((await this.request.delete(`${this.hooks}/faults`)).ok()).toBeTruthy();
  }

  /** Every session as if created (and affirmed) `seconds` earlier. */
  async age(seconds: number): Promise<void> {
    expect((await this.request.post(`${this.hooks}/age`, { data: { seconds } })).ok()).toBeTruthy();
  }

  async calls(endpoint?: Call["endpoint"]): Promise<Call[]> {
    const res = await this.request.get(`${this.hooks}/calls`);
    const all = (await res.json()) as Call[];
    return endpoint ? all.filter((c) => c.endpoint === endpoint) : all;
  }
}

/** How the provider names a token in its call log. */
export function fingerprint(token: string): string {
  return createHash("sha256").update(token).digest("hex").slice(0, 16);
}
