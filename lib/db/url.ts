import path from "node:path";

/** Where the SQLite file lives unless DATABASE_URL says otherwise (git-ignored). */
export const DEFAULT_DATABASE_FILE = ".fleetdeck/fleetdeck.db";

/**
 * Resolves DATABASE_URL (`file:./path.db`, a bare path, or unset) to an absolute file path.
 * Both processes must agree on the file, so relative paths are taken from the repo root
 * (the working directory of every npm script), never from a generated client's folder.
 */
export function databaseFile(env: Record<string, string | undefined> = process.env): string {
  const raw = env.DATABASE_URL?.trim() || DEFAULT_DATABASE_FILE;
  const withoutScheme = raw.startsWith("file:") ? raw.slice("file:".length) : raw;
  if (withoutScheme === "" || withoutScheme.includes("?")) {
    throw new Error(`DATABASE_URL must name a SQLite file (file:./path.db), got "${raw}"`);
  }
  return path.resolve(withoutScheme);
}
