import type { z } from "zod";

/** Formats zod issues as "NAME: problem" lines, one per bad variable. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `  ${issue.path.join(".") || "(root)"}: ${issue.message}`).join("\n");
}

/** Parses environment variables with a schema; empty values count as unset. */
export function parseEnvWith<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined>,
): z.infer<S> {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const result = schema.safeParse(cleaned);
  if (!result.success) throw new ConfigError(`invalid configuration:\n${describeIssues(result.error)}`);
  return result.data;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}
