import path from "node:path";
import { redactText } from "../redact";

/** Where the SQLite file lives unless DATABASE_URL says otherwise (git-ignored). */
export const DEFAULT_DATABASE_FILE = ".fleetdeck/fleetdeck.db";

export type Provider = "sqlite" | "postgresql";

/** The store DATABASE_URL names: the embedded SQLite file, or a PostgreSQL server (a fleet). */
export type StoreLocation = { provider: "sqlite"; file: string } | { provider: "postgresql"; url: string };

const POSTGRES_SCHEMES = /^postgres(ql)?:\/\//i;

/**
 * Resolves DATABASE_URL: `postgresql://…` (or `postgres://…`) is a PostgreSQL server;
 * `file:./path.db`, a bare path or nothing is the SQLite file. Relative paths are taken from the
 * repo root (the working directory of every npm script), never from a generated client's folder.
 */
export function storeLocation(env: Record<string, string | undefined> = process.env): StoreLocation {
  const raw = env.DATABASE_URL?.trim() || DEFAULT_DATABASE_FILE;
  if (POSTGRES_SCHEMES.test(raw)) {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new Error(`DATABASE_URL is not a valid PostgreSQL URL (postgresql://user:password@host:5432/db)`);
    }
    if (!url.hostname || url.pathname.length <= 1) {
      throw new Error(
        `DATABASE_URL must name a PostgreSQL host and database (postgresql://user:password@host:5432/db), got ${redactUrl(raw)}`,
      );
    }
    return { provider: "postgresql", url: raw };
  }
  const withoutScheme = raw.startsWith("file:") ? raw.slice("file:".length) : raw;
  if (withoutScheme === "" || withoutScheme.includes("?") || /^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    throw new Error(
      `DATABASE_URL must name a SQLite file (file:./path.db) or a PostgreSQL server (postgresql://…), got "${redactUrl(raw)}"`,
    );
  }
  return { provider: "sqlite", file: path.resolve(withoutScheme) };
}

/** The SQLite file of DATABASE_URL; an error when DATABASE_URL names a PostgreSQL server. */
export function databaseFile(env: Record<string, string | undefined> = process.env): string {
  const location = storeLocation(env);
  if (location.provider !== "sqlite") throw new Error("DATABASE_URL names a PostgreSQL server, not a file");
  return location.file;
}

/**
 * A URL as it may be shown or logged: through the one redactor, so neither its password nor a
 * credential in its query (libpq's ?password=, ?sslpassword=) is.
 */
export function redactUrl(raw: string): string {
  return redactText(raw);
}

/** What the store is, for a log line or a page: the file, or the server without its password. */
export function describeStore(location: StoreLocation): string {
  return location.provider === "sqlite" ? location.file : redactUrl(location.url);
}
