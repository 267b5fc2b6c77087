"use client";

import { useEffect } from "react";
import { queryKeys } from "@/components/live/query-keys";
import { useLiveData } from "@/components/live/use-live-data";
import type { AccessStatusDto } from "@/server/queries/access";

/**
 * While a cluster's controller has not answered for the signed-in person yet, nothing of that
 * cluster is shown: this says why, not an error. When answers arrive (the live stream's `access`
 * topic), the page is loaded again: everything on it, rendered on the server as well as live,
 * then shows what the person may see.
 */
export function AccessNote({ initial }: { initial: AccessStatusDto }) {
  const { checking } = useLiveData(queryKeys.access, "/api/access", initial);
  const answered = checking.length < initial.checking.length;
  useEffect(() => {
    if (answered) window.location.reload();
  }, [answered]);
  if (checking.length === 0) return null;
  return (
    <p
      role="status"
      data-testid="access-note"
      className="mb-6 rounded-md border border-sky-200 bg-sky-50 p-3 text-sm text-sky-900"
    >
      {checking.map((c) => `Checking your access in cluster ${c.name}…`).join(" ")} Its agents and everything
      else of it appear once its controller has asked Kubernetes what you may see.
    </p>
  );
}
