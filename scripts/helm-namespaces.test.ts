import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { HELM_NAMESPACES_DIR, helmNamespacesFiles } from "./helm-namespaces";

describe("npm run deploy:helm-namespaces", () => {
  it("wrote the committed overlay files (for the namespace datadog)", () => {
    for (const [file, text] of Object.entries(helmNamespacesFiles(["datadog"])))
      expect(fs.readFileSync(path.join(HELM_NAMESPACES_DIR, file), "utf8"), file).toBe(text);
  });

  it("grants each namespace once and tells the controller all of them", () => {
    const files = helmNamespacesFiles(["datadog", "monitoring", "datadog"]);
    const docs = YAML.parseAllDocuments(files["roles.yaml"]).map(
      (d) => d.toJS() as { kind: string; metadata: { namespace: string } },
    );
    expect(docs.map((d) => [d.kind, d.metadata.namespace])).toEqual([
      ["Role", "datadog"],
      ["RoleBinding", "datadog"],
      ["Role", "monitoring"],
      ["RoleBinding", "monitoring"],
    ]);
    expect(files["controller-env.yaml"]).toContain("value: datadog,monitoring");
  });

  it("refuses what is not a namespace name", () => {
    expect(() => helmNamespacesFiles([])).toThrow(/expected namespace names/);
    expect(() => helmNamespacesFiles(["ok", "Not_OK"])).toThrow(/"Not_OK"/);
  });
});
