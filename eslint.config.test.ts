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
