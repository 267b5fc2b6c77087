// The start form's config editor: YAML or JSON text (JSON is YAML) → a validated partial spec.
// The browser runs it for inline errors as the user types; the server action runs it again.
import { LineCounter, parseDocument, type Document } from "yaml";
import { literalSecretPaths } from "@/lib/agents";
import { partialAgentSpec } from "@/lib/commands";
import type { JsonObject } from "@/lib/merge-patch";

export interface ConfigProblem {
  /** 1-based line of the problem in the text, when known. */
  line?: number;
  message: string;
}

export type ParsedConfig = { ok: true; config: JsonObject } | { ok: false; problems: ConfigProblem[] };

export function parseExperimentConfig(text: string): ParsedConfig {
  if (text.trim() === "") return { ok: false, problems: [{ message: "the config is empty" }] };
  const lines = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true, lineCounter: lines });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => ({
        line: e.linePos?.[0]?.line,
        message: `not valid YAML or JSON: ${e.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "")}`,
      })),
    };
  }
  const value: unknown = doc.toJS({ maxAliasCount: 50 });
  const result = partialAgentSpec.safeParse(value);
  if (!result.success) {
    return {
      ok: false,
      problems: result.error.issues.map((issue) => ({
        line: lineOf(doc, lines, issue.path),
        message: issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message,
      })),
    };
  }
  const secrets = literalSecretPaths(result.data);
  if (secrets.length > 0) {
    return {
      ok: false,
      problems: secrets.map((path) => ({
        message: `${path} holds a literal secret: reference a Secret with valueFrom.secretKeyRef instead`,
      })),
    };
  }
  return { ok: true, config: result.data as JsonObject };
}

function lineOf(doc: Document, lines: LineCounter, path: PropertyKey[]): number | undefined {
  const node = doc.getIn(path.map(String), true) as { range?: [number, number, number] } | undefined;
  const offset = node?.range?.[0];
  return offset === undefined ? undefined : lines.linePos(offset).line;
}
