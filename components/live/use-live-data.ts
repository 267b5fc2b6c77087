import { useQuery, type QueryKey } from "@tanstack/react-query";
import { fetchJson } from "./fetch-json";

/**
 * A read model the server rendered first (`initial`), fetched again from `url` whenever the
 * live stream reports a change of its topic (the first element of `queryKey`). `enabled: false`
 * keeps `initial` (an older page of a log, which never changes).
 */
export function useLiveData<T>(queryKey: QueryKey, url: string, initial: T, enabled = true): T {
  const { data } = useQuery({ queryKey, queryFn: () => fetchJson<T>(url), initialData: initial, enabled });
  return data ?? initial;
}
