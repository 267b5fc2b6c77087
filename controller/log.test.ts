import { describe, expect, it } from "vitest";
import { createRootLogger } from "./log";

function capture() {
  const lines: string[] = [];
  const log = createRootLogger("debug", { write: (line: string) => void lines.push(line) });
  return { log, lines };
}

describe("the controller's logs", () => {
  // Issue 13: the logger redacted only apiKey, token and authorization headers by path.
  it("go through the one redactor: fields, nested specs, messages and errors", () => {
    const { log, lines } = capture();
    log.child({ component: "metadata" }).info(
      {
        spec: { features: { postgres: { password: "pw-field-1" } } },
        env: [{ name: "DATABASE_URL", value: "postgres://u:pw-env-2@db/x" }],
        headers: { "dd-api-key": "key-header-3" },
        err: new Error("rejected: --password=pw-error-4"),
      },
      "sending Authorization: Bearer tok-message-5",
    );
    expect(lines).toHaveLength(1);
    const line = lines[0]!;
    for (const secret of ["pw-field-1", "pw-env-2", "key-header-3", "pw-error-4", "tok-message-5"])
      expect(line).not.toContain(secret);
    expect(line.endsWith("\n")).toBe(true);
    const parsed = JSON.parse(line) as Record<string, unknown>;
    expect(parsed).toMatchObject({
      level: "info",
      component: "metadata",
      spec: { features: { postgres: { password: "[redacted]" } } },
      headers: { "dd-api-key": "[redacted]" },
      msg: "sending Authorization: Bearer [redacted]",
    });
  });

  it("leave ordinary lines as they are", () => {
    const { log, lines } = capture();
    log.info({ key: "default/datadog", latencyMs: 3 }, "metadata sent");
    expect(JSON.parse(lines[0]!)).toMatchObject({
      key: "default/datadog",
      latencyMs: 3,
      msg: "metadata sent",
    });
  });
});
