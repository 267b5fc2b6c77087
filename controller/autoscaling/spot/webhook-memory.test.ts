// The webhook buffers each request's body before reading it: at most
// FLEETDECK_SPOT_WEBHOOK_MAX_CONNECTIONS connections × MAX_BODY_BYTES at once. In every shipped
// variant that must stay within a quarter of the controller container's memory limit, leaving
// the rest to the controller itself (its caches, one body parsed at a time).
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { REPO_ROOT } from "../../../testing/paths";
import { WEBHOOK_MAX_CONNECTIONS } from "./config";
import { MAX_BODY_BYTES } from "./webhook";

const VARIANTS = ["config/deploy/single/deployment.yaml", "config/deploy/fleet/cluster/controller.yaml"];

interface Container {
  name: string;
  env?: { name: string; value?: string }[];
  resources?: { limits?: { memory?: string } };
}

/** A Kubernetes quantity of bytes ("512Mi", "1Gi", "500M"). */
function bytes(quantity: string): number {
  const match = /^(\d+)(Ki|Mi|Gi|K|M|G)?$/.exec(quantity);
  if (!match) throw new Error(`not a memory quantity: ${quantity}`);
  const unit = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, K: 1e3, M: 1e6, G: 1e9 }[match[2] ?? ""] ?? 1;
  return Number(match[1]) * unit;
}

function controllerOf(file: string): Container {
  const docs = YAML.parseAllDocuments(fs.readFileSync(path.join(REPO_ROOT, file), "utf8")).map(
    (d) => d.toJS() as { kind?: string; spec?: { template?: { spec?: { containers?: Container[] } } } },
  );
  const deployment = docs.find((d) => d.kind === "Deployment");
  const container = deployment?.spec?.template?.spec?.containers?.find((c) => c.name === "controller");
  if (!container) throw new Error(`${file}: no controller container`);
  return container;
}

describe("the webhook's buffered bodies", () => {
  it.each(VARIANTS)("fit in a quarter of the controller's memory limit in %s", (file) => {
    const controller = controllerOf(file);
    const limit = bytes(controller.resources?.limits?.memory ?? "");
    const set = controller.env?.find((e) => e.name === "FLEETDECK_SPOT_WEBHOOK_MAX_CONNECTIONS")?.value;
    const connections = set ? Number(set) : WEBHOOK_MAX_CONNECTIONS;
    expect(
      connections * MAX_BODY_BYTES,
      `${connections} connections × ${MAX_BODY_BYTES} bytes`,
    ).toBeLessThanOrEqual(limit / 4);
  });
});
