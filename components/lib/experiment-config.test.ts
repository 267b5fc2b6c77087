import { describe, expect, it } from "vitest";
import { parseExperimentConfig } from "./experiment-config";

describe("parseExperimentConfig (the start form's editor)", () => {
  it("accepts YAML and JSON partial specs", () => {
    expect(parseExperimentConfig("features:\n  apm:\n    enabled: true\n")).toEqual({
      ok: true,
      config: { features: { apm: { enabled: true } } },
    });
    expect(
      parseExperimentConfig('{"global": {"logLevel": "debug"}, "override": {"nodeAgent": null}}'),
    ).toEqual({
      ok: true,
      config: { global: { logLevel: "debug" }, override: { nodeAgent: null } },
    });
  });

  it("names the line of a syntax error", () => {
    const result = parseExperimentConfig("features:\n  apm: {\n");
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problems[0]!.message).toMatch(/^not valid YAML or JSON: /);
      expect(result.problems[0]!.line).toBeGreaterThanOrEqual(2);
    }
    expect(parseExperimentConfig("global:\n  a: 1\nglobal:\n  b: 2\n")).toMatchObject({
      ok: false,
      problems: [{ line: 3, message: expect.stringContaining("unique") }],
    });
  });

  it("refuses an empty config, unknown sections, and sections of the wrong type, naming the path and line", () => {
    expect(parseExperimentConfig("  ")).toEqual({
      ok: false,
      problems: [{ message: "the config is empty" }],
    });
    expect(parseExperimentConfig("features:\n  apm: {enabled: true}\nspec: {}\n")).toMatchObject({
      ok: false,
      problems: [{ message: expect.stringContaining('Unrecognized key: "spec"') }],
    });
    expect(parseExperimentConfig("global:\n  site: x\nfeatures: [1, 2]\n")).toMatchObject({
      ok: false,
      problems: [{ line: 3, message: expect.stringMatching(/^features: .*expected record/) }],
    });
    expect(parseExperimentConfig("[1]")).toMatchObject({ ok: false });
  });

  it("refuses a literal secret", () => {
    expect(
      parseExperimentConfig(
        "override:\n  nodeAgent:\n    env:\n      - name: DD_API_KEY\n        value: abc\n",
      ),
    ).toMatchObject({
      ok: false,
      problems: [
        {
          message: expect.stringContaining(
            "override.nodeAgent.env[0].value (DD_API_KEY) holds a literal secret",
          ),
        },
      ],
    });
  });
});
