import { test as base } from "@playwright/test";
import { e2eState } from "./state";

/** Playwright's test with baseURL pointing at the dashboard started by global setup. */
export const test = base.extend({
  baseURL: async ({}, use) => {
    await use(e2eState().baseURL);
  },
});

export { expect } from "@playwright/test";
