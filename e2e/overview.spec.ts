import { VersionApi } from "@kubernetes/client-node";
import { expect, test } from "./fixtures";
import { e2eKubeConfig } from "./state";

test("the overview shows the running controller and the cluster's Kubernetes version", async ({ page }) => {
  const version = await e2eKubeConfig().makeApiClient(VersionApi).getCode();
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  await expect(page.getByTestId("kubernetes-version")).toHaveText(version.gitVersion);
  await expect(page.getByText("running", { exact: true }).first()).toBeVisible();
});

test("every section of the dashboard is reachable from the navigation", async ({ page }) => {
  await page.goto("/");
  for (const section of ["Agents", "Experiments", "Fleet experiments", "Metadata", "Autoscaling", "Audit"]) {
    const link = page
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: section, exact: true });
    await link.click();
    await expect(page.getByRole("heading", { level: 1, name: section })).toBeVisible();
    await expect(link).toHaveAttribute("aria-current", "page");
  }
});
