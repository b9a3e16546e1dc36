/**
 * Every address the suite uses, in one place: the config starts the apps on
 * them and the page objects visit them.
 */

/** App A: runs the embedded development CentralAuth (`BASE_URL` overrides). */
export const APP_A = process.env.BASE_URL ?? "http://127.0.0.1:3000";
/** A's provider, which app B and the NPM-library sibling use as CentralAuth. */
export const PROVIDER = `${APP_A}/dev-centralauth`;
/**
 * App B, configured like a real deployment against A's provider. Another
 * host name, not only another port: cookies ignore ports, so 127.0.0.1:3002
 * would share A's cookie jar.
 */
export const APP_B = "http://localhost:3002";
export const APP_B_ADDR = "127.0.0.1:3002";
/** A registered origin where nothing listens: the NPM-library sibling's. */
export const NPM_SIBLING = "http://127.0.0.1:3003";

/**
 * The production topology (tests/topology.spec.ts): nginx terminating TLS
 * here, in front of two replicas of the release binary, which use the
 * standalone development CentralAuth as they would the real one.
 */
export const PROXY = "https://127.0.0.1:3443";
export const REPLICA_ADDRS = ["127.0.0.1:3011", "127.0.0.1:3012"] as const;
export const STANDALONE_PROVIDER = "http://127.0.0.1:3110";
/** The address nginx connects to the replicas from (their TRUSTED_PROXIES). */
export const PROXY_PEER = "127.0.0.2";
