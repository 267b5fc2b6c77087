// Delegated authentication and authorization of HTTP requests, as Kubernetes' own components
// and controller-runtime's secure metrics serving do it: the caller's bearer token is checked
// with a TokenReview, and what it asks for with a SubjectAccessReview of its non-resource URL
// (GET /metrics). Answers are cached like controller-runtime's (tokens 1 min, allowed 5 min,
// denied 30 s), so a scrape or an admission costs no API call most of the time; errors are
// never cached.
import { createHash } from "node:crypto";
import type http from "node:http";
import type { KubeClient } from "./client";
import { canSubject, reviewToken, type TokenIdentity, type TokenReviewResult } from "./access-review";

export type AuthDecision =
  { ok: true; user: TokenIdentity } | { ok: false; status: 401 | 403 | 503; message: string };

export interface DelegatedAuthOptions {
  tokenTtlMs?: number;
  allowTtlMs?: number;
  denyTtlMs?: number;
  maxEntries?: number;
  now?: () => number;
}

/** A map whose entries expire, bounded (the oldest entry goes first). */
class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; expires: number }>();
  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number,
  ) {}
  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }
  set(key: string, value: V, ttlMs: number): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expires: this.now() + ttlMs });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }
}

/** The bearer token of an Authorization header, or undefined. */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(value ?? "");
  return match?.[1];
}

export class DelegatedAuth {
  private readonly tokens: TtlCache<TokenReviewResult>;
  private readonly decisions: TtlCache<boolean>;
  private readonly options: Required<Omit<DelegatedAuthOptions, "now">>;

  constructor(
    private readonly client: KubeClient,
    options: DelegatedAuthOptions = {},
  ) {
    const now = options.now ?? Date.now;
    this.options = {
      tokenTtlMs: options.tokenTtlMs ?? 60_000,
      allowTtlMs: options.allowTtlMs ?? 5 * 60_000,
      denyTtlMs: options.denyTtlMs ?? 30_000,
      maxEntries: options.maxEntries ?? 1024,
    };
    this.tokens = new TtlCache(this.options.maxEntries, now);
    this.decisions = new TtlCache(this.options.maxEntries, now);
  }

  /** Who sent this request (401 without a valid token; 503 when the API server cannot say). */
  async authenticate(req: http.IncomingMessage): Promise<AuthDecision> {
    const token = bearerToken(req.headers.authorization);
    if (!token) return { ok: false, status: 401, message: "Unauthorized: a bearer token is required" };
    const key = createHash("sha256").update(token).digest("hex");
    let result = this.tokens.get(key);
    if (!result) {
      try {
        result = await reviewToken(this.client, token);
      } catch (error) {
        return { ok: false, status: 503, message: `cannot review the token: ${(error as Error).message}` };
      }
      this.tokens.set(key, result, this.options.tokenTtlMs);
    }
    if (!result.authenticated) return { ok: false, status: 401, message: `Unauthorized: ${result.error}` };
    return { ok: true, user: result.user };
  }

  /** Whether the request's user may `verb` the non-resource URL `path` (403 otherwise). */
  async authorize(req: http.IncomingMessage, verb: string, path: string): Promise<AuthDecision> {
    const who = await this.authenticate(req);
    if (!who.ok) return who;
    const { username, groups, uid, extra } = who.user;
    const key = JSON.stringify([username, [...groups].sort(), verb, path]);
    let allowed = this.decisions.get(key);
    if (allowed === undefined) {
      try {
        ({ allowed } = await canSubject(
          this.client,
          { user: username, groups, uid, extra },
          { nonResource: { verb, path } },
        ));
      } catch (error) {
        return { ok: false, status: 503, message: `cannot review access: ${(error as Error).message}` };
      }
      this.decisions.set(key, allowed, allowed ? this.options.allowTtlMs : this.options.denyTtlMs);
    }
    if (!allowed) {
      return { ok: false, status: 403, message: `Forbidden: user "${username}" may not ${verb} ${path}` };
    }
    return who;
  }
}
