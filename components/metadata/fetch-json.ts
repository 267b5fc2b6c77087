/** GET a dashboard API route as JSON; a failing answer throws with the route's error message. */
export async function fetchJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { cache: "no-store" });
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { error?: string };
    throw new Error(body.error ?? `GET ${url}: HTTP ${res.status}`);
  }
  return res.json() as Promise<T>;
}
