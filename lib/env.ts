import { z } from "zod";
import { parseGoDuration } from "./duration";

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

/** true/false, 1/0, yes/no (any case). */
export const bool = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(["true", "false", "1", "0", "yes", "no"]))
  .transform((v) => v === "true" || v === "1" || v === "yes");

/** `host:port` (an empty host means every interface). */
export const hostPort = z
  .string()
  .trim()
  .regex(/^[^:\s]*:\d{1,5}$/, "expected host:port, e.g. 127.0.0.1:8081")
  .transform((v) => {
    const i = v.lastIndexOf(":");
    return { host: v.slice(0, i) || "0.0.0.0", port: Number(v.slice(i + 1)) };
  });

/** A Go duration ("90s", "1m30s", "500ms"), in milliseconds. */
export const duration = z
  .string()
  .trim()
  .transform((value, ctx) => {
    try {
      return parseGoDuration(value);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: (error as Error).message });
      return z.NEVER;
    }
  });
