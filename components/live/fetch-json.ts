/** A dashboard API route answered with an error: its own message when it gave one. */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly url: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** GET a dashboard API route as JSON, never from the browser's cache; a failing answer throws an ApiError. */
export async function fetchJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { cache: "no-store" });
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { error?: unknown };
    const message = typeof body.error === "string" ? body.error : `GET ${url}: HTTP ${res.status}`;
    throw new ApiError(url, res.status, message);
  }
  return (await res.json()) as T;
}
