import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { findSecrets, scanFiles, TEST_SECRETS } from "./secrets";

describe("the secrets scan", () => {
  it("finds a known secret, its base64 form, a JWT and a bearer header", () => {
    expect(findSecrets(`{"msg":"sending","key":"${TEST_SECRETS.ddApiKey}"}`, "log")).toHaveLength(1);
    expect(findSecrets(Buffer.from(TEST_SECRETS.apiToken).toString("base64"), "db")).toHaveLength(1);
    const jwt = "eyJhbGciOiJSUzI1NiIsImtpZCI6IiJ9.eyJpc3MiOiJrdWJlcm5ldGVzIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ";
    expect(findSecrets(`token=${jwt}`, "log").map((l) => l.what)).toEqual(["a JWT (Kubernetes token)"]);
    expect(findSecrets("authorization: Bearer abcdefghijklmnop1234", "page")).toHaveLength(1);
  });

  it("passes redacted content", () => {
    expect(findSecrets('apiKey: "[redacted]" Dd-Api-Key: [redacted] Bearer <token>', "page")).toEqual([]);
  });

  it("scans files under directories as bytes", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "scan-"));
    fs.mkdirSync(path.join(dir, "sub"));
    fs.writeFileSync(path.join(dir, "clean.log"), "nothing here\n");
    fs.writeFileSync(
      path.join(dir, "sub", "leak.db"),
      Buffer.concat([Buffer.from([0, 1, 2]), Buffer.from(TEST_SECRETS.adminToken)]),
    );
    const { scanned, leaks } = scanFiles([dir, path.join(dir, "missing")]);
    expect(scanned).toHaveLength(2);
    expect(leaks.map((l) => path.basename(l.where))).toEqual(["leak.db"]);
    fs.rmSync(dir, { recursive: true });
  });
});
