// The folder boundaries of eslint.config.mjs, checked with ESLint's own API: each rule reports a
// deliberate violation, and the imports it must allow pass.
import path from "node:path";
import { ESLint } from "eslint";
import { beforeAll, describe, expect, it } from "vitest";

const ROOT = import.meta.dirname;
let eslint: ESLint;

/** The no-restricted-imports messages for `code` as if it were the file `file`. */
async function restricted(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  if (!result) throw new Error(`ESLint returned nothing for ${file}`);
  const fatal = result.messages.find((m) => m.fatal);
  if (fatal) throw new Error(`${file} did not parse: ${fatal.message}`);
  return result.messages.filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
}

beforeAll(() => {
  eslint = new ESLint({ cwd: ROOT });
});

describe("ESLint folder boundaries", { timeout: 60_000 }, () => {
  describe("scripts/ never imports test/", () => {
    it.each([
      ["scripts/demo.ts", `import { crdSends } from "../test/metadata";`],
      ["scripts/demo/spot.ts", `import { spotDeployment } from "../../test/spot";`],
      ["scripts/demo.ts", `import { eventually } from "@/test/harness";`],
    ])("%s: %s is reported", async (file, code) => {
      expect(await restricted(file, code)).toEqual([expect.stringContaining("scripts/ never imports test/")]);
    });

    it("scripts/ may import testing/ and lib/", async () => {
      const code = [
        `import { podSplit } from "../../testing/spot-cluster";`,
        `import { REPO_ROOT } from "../../testing/paths";`,
        `import { SPOT_EVENT_REASONS } from "../../lib/spot";`,
        `export { podSplit, REPO_ROOT, SPOT_EVENT_REASONS };`,
      ].join("\n");
      expect(await restricted("scripts/demo/spot.ts", code)).toEqual([]);
    });
  });

  describe("testing/ imports neither test/ nor scripts/", () => {
    it.each([
      ["testing/processes.ts", `import { eventually } from "../test/harness";`],
      ["testing/processes.ts", `import { runSpotDemo } from "../scripts/demo/spot";`],
    ])("%s: %s is reported", async (file, code) => {
      expect(await restricted(file, code)).toEqual([expect.stringContaining("testing/ serves scripts/")]);
    });

    it("testing/ may import its own files and lib/", async () => {
      const code = `import { STATE_DIR } from "./paths";\nimport { openDatabase } from "../lib/db/open";\nexport { STATE_DIR, openDatabase };`;
      expect(await restricted("testing/database.ts", code)).toEqual([]);
    });
  });

  describe("controller/kube/ imports no feature code", () => {
    it.each([
      ["controller/kube/informer.ts", `import { setupAgents } from "../agents/setup";`],
      ["controller/kube/informer.ts", `import { crdPayload } from "../metadata/payloads";`],
      ["controller/kube/informer.ts", `import { PodWatchGate } from "../autoscaling/gate";`],
      ["controller/kube/informer.ts", `import { CommandRegistry } from "../commands/registry";`],
      ["controller/kube/informer.ts", `import { writeAudit } from "../store/audit";`],
      ["controller/kube/informer.ts", `import { HealthServer } from "../http/server";`],
      ["controller/kube/informer.ts", `import { loadControllerConfig } from "../config";`],
      ["controller/kube/informer.ts", `import type { ControllerContext } from "../context";`],
      ["controller/kube/informer.ts", `import { REVISION_ANNOTATION } from "@/controller/agents/render";`],
      ["controller/kube/builder/builder.ts", `import { setupAgents } from "../../agents/setup";`],
    ])("%s: %s is reported", async (file, code) => {
      expect(await restricted(file, code)).toEqual([
        expect.stringContaining("controller/kube/ knows Kubernetes mechanics"),
      ]);
    });

    it("reports a value import of the logger module: kube/ gets its logger from its caller", async () => {
      expect(
        await restricted("controller/kube/informer.ts", `import { createRootLogger } from "../log";`),
      ).toEqual([expect.stringContaining("import only the Logger type")]);
    });

    it("still reports dashboard imports (the controller-wide rule) in kube/", async () => {
      expect(
        await restricted("controller/kube/informer.ts", `import { getDb } from "../../server/db";`),
      ).toEqual([expect.stringContaining("never imports dashboard code")]);
    });

    it("kube/ may import the Logger type, itself, lib/, packages and the test harness", async () => {
      const code = [
        `import type { Logger } from "../log";`,
        `import { WorkQueue } from "./workqueue";`,
        `import { SPOT_ASSIGNED_LABEL } from "../../lib/spot";`,
        `import { KubeConfig } from "@kubernetes/client-node";`,
        `import { eventually } from "../../test/harness";`,
        `export type { Logger };`,
        `export { WorkQueue, SPOT_ASSIGNED_LABEL, KubeConfig, eventually };`,
      ].join("\n");
      expect(await restricted("controller/kube/informer.int.test.ts", code)).toEqual([]);
      const nested = `import { WorkQueue } from "../workqueue";\nimport type { Logger } from "../../log";\nexport type { Logger };\nexport { WorkQueue };`;
      expect(await restricted("controller/kube/builder/builder.ts", nested)).toEqual([]);
    });

    it("feature folders may import each other and kube/", async () => {
      const code = `import { crdPayload } from "../metadata/payloads";\nimport { WorkQueue } from "../kube/workqueue";\nexport { crdPayload, WorkQueue };`;
      expect(await restricted("controller/agents/setup.ts", code)).toEqual([]);
    });
  });

  describe("lib/ is the contract: it imports neither the dashboard nor the controller", () => {
    it.each([
      ["lib/commands.ts", `import { getDb } from "../server/db";`],
      ["lib/commands.ts", `import { requireActor } from "@/server/auth";`],
      ["lib/commands.ts", `import { Badge } from "../components/ui/badge";`],
      ["lib/commands.ts", `import { filtersToSearch } from "@/components/lib/search-params";`],
      ["lib/commands.ts", `import Page from "../app/page";`],
      ["lib/commands.ts", `import { setupAgents } from "../controller/agents/setup";`],
      ["lib/commands.ts", `import { writeAudit } from "@/controller/store/audit";`],
      ["lib/db/commands.ts", `import { writeAudit } from "../../controller/store/audit";`],
      ["lib/db/open.ts", `import { getDb } from "@/server/db";`],
      ["lib/read-model/agents.ts", `import { listAgents } from "../../server/queries/agents";`],
    ])("%s: %s is reported", async (file, code) => {
      expect(await restricted(file, code)).toEqual([expect.stringContaining("lib/ is the contract")]);
    });

    it("lib/ may import itself and packages (lib/db/ the database too)", async () => {
      const code = [
        `import { z } from "zod";`,
        `import { redactText } from "./redact";`,
        `import type { Database } from "./db/open";`,
        `export { z, redactText };`,
        `export type { Database };`,
      ].join("\n");
      expect(await restricted("lib/commands.ts", code)).toEqual([]);
      const db = `import { TOPICS } from "../topics";\nimport { PrismaClient } from "../../prisma/generated/sqlite/client";\nexport { TOPICS, PrismaClient };`;
      expect(await restricted("lib/db/commands.ts", db)).toEqual([]);
    });
  });

  describe("the controller and the dashboard never import each other", () => {
    it.each([
      ["controller/agents/setup.ts", `import { getDb } from "../../server/db";`],
      ["controller/agents/setup.ts", `import { listAgents } from "@/server/queries/agents";`],
      ["controller/store/audit.ts", `import { fleetOverview } from "../../components/fleet/fleet-overview";`],
      ["controller/main.ts", `import Page from "../app/page";`],
    ])("%s: %s is reported", async (file, code) => {
      expect(await restricted(file, code)).toEqual([expect.stringContaining("never imports dashboard code")]);
    });

    it.each([
      ["server/queries/agents.ts", `import { REVISION_ANNOTATION } from "../../controller/agents/render";`],
      ["app/page.tsx", `import { setupAgents } from "@/controller/agents/setup";`],
      ["components/fleet/cluster-card.tsx", `import { writeAudit } from "@/controller/store/audit";`],
      ["components/lib/fleet.ts", `import { writeAudit } from "../../controller/store/audit";`],
      ["proxy.ts", `import { loadControllerConfig } from "./controller/config";`],
    ])("%s: %s is reported", async (file, code) => {
      expect(await restricted(file, code)).toEqual([
        expect.stringContaining("never imports controller code"),
      ]);
    });

    it("the dashboard's store tests may write rows with the controller's store writers", async () => {
      const code = `import { AgentReadModel } from "@/controller/agents/read-model";\nexport { AgentReadModel };`;
      expect(await restricted("server/queries/agents.store.test.ts", code)).toEqual([]);
      expect(await restricted("server/queries/agents.test.ts", code)).toEqual([
        expect.stringContaining("never imports controller code"),
      ]);
    });
  });

  describe("components/lib/ runs in the browser too: no server code", () => {
    it.each([
      ["components/lib/fleet.ts", `import { getDb } from "../../server/db";`],
      ["components/lib/fleet.ts", `import { webConfig } from "@/server/config";`],
      ["components/lib/fleet.ts", `import "server-only";`],
      ["components/lib/fleet.ts", `import Page from "@/app/page";`],
    ])("%s: %s is reported", async (file, code) => {
      expect(await restricted(file, code)).toEqual([expect.stringContaining("runs in the browser too")]);
    });

    it("components/lib/ may import lib/ and itself; server/ may import components/lib/", async () => {
      const code = `import { FORWARDERS } from "@/lib/metadata";\nimport { controllerState } from "./controller-status";\nexport { FORWARDERS, controllerState };`;
      expect(await restricted("components/lib/fleet.ts", code)).toEqual([]);
      const server = `import { clusterControllers } from "@/components/lib/fleet";\nexport { clusterControllers };`;
      expect(await restricted("server/queries/fleet.ts", server)).toEqual([]);
    });
  });

  describe("pages, route handlers and queries read through the read scope", () => {
    it.each([
      ["app/agents/page.tsx", `import { getDb } from "@/server/db";`],
      ["app/api/agents/route.ts", `import { getDb } from "@/server/db";`],
      ["server/queries/agents.ts", `import { getDb } from "../db";`],
      ["server/queries/agents.ts", `import { getDb } from "@/server/db";`],
    ])("%s: %s is reported", async (file, code) => {
      expect(await restricted(file, code)).toEqual([
        expect.stringContaining("Read through the actor's read scope"),
      ]);
    });

    it("they may import the scope and the lib/db types", async () => {
      const code = `import { pageScope } from "@/server/scope/request";\nimport type { Database } from "@/lib/db/open";\nexport { pageScope, type Database };`;
      expect(await restricted("app/agents/page.tsx", code)).toEqual([]);
      expect(
        await restricted(
          "server/queries/agents.ts",
          `import type { ReadScope } from "../scope/read-scope";\nexport type { ReadScope };`,
        ),
      ).toEqual([]);
    });
  });

  describe("lib/ outside lib/db/ imports no database code, types excepted", () => {
    it.each([
      ["lib/agents.ts", `import { PrismaClient } from "../prisma/generated/client";`],
      ["lib/agents.ts", `import { PrismaClient } from "@/prisma/generated/client";`],
      ["lib/agents.ts", `import { Prisma } from "@prisma/client";`],
      ["lib/agents.ts", `import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";`],
      ["lib/agents.ts", `import Sqlite from "better-sqlite3";`],
      ["lib/agents.ts", `import { openDatabase } from "./db/open";`],
      ["lib/agents.ts", `import { insertCommand } from "@/lib/db/commands";`],
      ["lib/read-models/agents.ts", `import { openDatabase } from "../db/open";`],
    ])("%s: %s is reported", async (file, code) => {
      expect(await restricted(file, code)).toEqual([
        expect.stringContaining("Database code belongs in lib/db/"),
      ]);
    });

    it("type-only imports pass: read-model row types come from Prisma's generated model types", async () => {
      const code = [
        `import type { Command } from "../prisma/generated/client";`,
        `import { type Experiment } from "@/prisma/generated/client";`,
        `import type { Prisma } from "@prisma/client";`,
        `import type { Database } from "./db/open";`,
        `export type { Command, Experiment, Prisma, Database };`,
      ].join("\n");
      expect(await restricted("lib/agents.ts", code)).toEqual([]);
    });

    it("lib/db/ may use the database", async () => {
      const code = `import { PrismaClient } from "../../prisma/generated/client";\nimport { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";\nexport { PrismaClient, PrismaBetterSQLite3 };`;
      expect(await restricted("lib/db/open.ts", code)).toEqual([]);
    });
  });
});
