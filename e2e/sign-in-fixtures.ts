// The sign-in stack of e2e/sign-in.spec.ts, as config/deploy runs it: a dashboard on the shared
// stack's database that trusts the proxy's headers (with its secret) and keeps the admin token
// as break-glass, and in front of it oauth2-proxy and a real OpenID Provider (testing/oidc.ts)
// where alice (group team-a) and bob (group team-b) sign in. Started once per worker.
import { TEST_SECRETS } from "../test/secrets";
import { startSignInStack, type OidcUser } from "../testing/oidc";
import { freePort, startWeb, waitForHttp } from "../testing/processes";
import { test as base } from "./fixtures";
import { e2eState } from "./state";

export const PEOPLE = {
  alice: {
    username: "alice",
    password: TEST_SECRETS.alicePassword,
    email: "alice@fleetdeck.test",
    groups: ["team-a"],
  },
  bob: {
    username: "bob",
    password: TEST_SECRETS.bobPassword,
    email: "bob@fleetdeck.test",
    groups: ["team-b"],
  },
} satisfies Record<string, OidcUser>;

export interface SignInStack {
  /** Where people go: oauth2-proxy. */
  url: string;
  /** The dashboard itself, on loopback (what `kubectl port-forward` reaches: the break-glass path). */
  dashboardURL: string;
  /** The OpenID Provider. */
  issuer: string;
}

export const test = base.extend<object, { signIn: SignInStack }>({
  signIn: [
    async ({}, use) => {
      const port = await freePort();
      const dashboardURL = `http://127.0.0.1:${port}`;
      // The dashboard container's environment in config/deploy, on loopback.
      const web = startWeb("sign-in-web", {
        DATABASE_URL: e2eState().databaseUrl,
        FLEETDECK_WEB_PORT: String(port),
        FLEETDECK_AUTH_PROXY_HEADER: "X-Forwarded-User",
        FLEETDECK_AUTH_PROXY_GROUPS_HEADER: "X-Forwarded-Groups",
        FLEETDECK_AUTH_PROXY_SECRET: TEST_SECRETS.proxySecret,
        FLEETDECK_ADMIN_TOKEN: TEST_SECRETS.adminToken,
      });
      try {
        await waitForHttp(`${dashboardURL}/login`, { proc: web });
        const stack = await startSignInStack({
          name: "sign-in",
          upstream: dashboardURL,
          proxySecret: TEST_SECRETS.proxySecret,
          users: Object.values(PEOPLE),
          clientSecret: TEST_SECRETS.oidcClientSecret,
          cookieSecret: TEST_SECRETS.oauth2ProxyCookieSecret,
        });
        await use({ url: stack.url, dashboardURL, issuer: stack.issuer });
        await stack.stop();
      } finally {
        await web.stop();
      }
    },
    { scope: "worker", timeout: 120_000 },
  ],
});

export { expect } from "./fixtures";
