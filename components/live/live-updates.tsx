"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { TOPICS } from "@/lib/topics";
import { queryKeys } from "./query-keys";

type LiveState = "connecting" | "live" | "paused" | "reconnecting" | "ended";

const FLUSH_MS = 100;
/** The fleet page sums up every topic: refetched on any change, at most this often. */
const FLEET_REFRESH_MS = 2_000;

/**
 * Listens to /api/stream and refetches the queries of the topics that changed (every query
 * key starts with its topic). Batches bursts, closes the stream while the tab is hidden, and
 * resumes from the last change it saw when the tab is shown again.
 */
export function LiveUpdates() {
  const queryClient = useQueryClient();
  const [state, setState] = useState<LiveState>("connecting");

  useEffect(() => {
    let source: EventSource | null = null;
    let ended = false;
    let lastId: string | null = null;
    let flushTimer: ReturnType<typeof setTimeout> | undefined;
    let fleetTimer: ReturnType<typeof setTimeout> | undefined;
    let fleetRefreshedAt = 0;
    const pending = new Set<string>();

    const refreshFleet = () => {
      fleetTimer = undefined;
      fleetRefreshedAt = Date.now();
      void queryClient.invalidateQueries({ queryKey: queryKeys.fleet });
    };
    const flush = () => {
      flushTimer = undefined;
      // New answers change what the person may see anywhere: every query refetches.
      if (pending.has(TOPICS.access)) void queryClient.invalidateQueries();
      else for (const topic of pending) void queryClient.invalidateQueries({ queryKey: [topic] });
      pending.clear();
      fleetTimer ??= setTimeout(refreshFleet, Math.max(0, fleetRefreshedAt + FLEET_REFRESH_MS - Date.now()));
    };
    const open = () => {
      const resuming = lastId !== null;
      source = new EventSource(resuming ? `/api/stream?since=${encodeURIComponent(lastId!)}` : "/api/stream");
      source.addEventListener("hello", (e) => {
        lastId = (e as MessageEvent).lastEventId || lastId;
        setState("live");
        // A fresh stream starts at "now": whatever changed between the server render and this
        // moment is not in it, so refetch once. A resumed stream replays what was missed.
        if (!resuming) void queryClient.invalidateQueries();
      });
      source.addEventListener("changes", (e) => {
        const event = e as MessageEvent<string>;
        lastId = event.lastEventId || lastId;
        for (const change of JSON.parse(event.data) as { topic: string }[]) pending.add(change.topic);
        flushTimer ??= setTimeout(flush, FLUSH_MS);
      });
      source.addEventListener("reset", (e) => {
        lastId = (e as MessageEvent).lastEventId || lastId;
        void queryClient.invalidateQueries();
      });
      source.addEventListener("heartbeat", () => setState("live"));
      // Signed out (here or in another tab), expired, or the admin token changed: stop for good.
      source.addEventListener("session-ended", () => {
        close();
        ended = true;
        setState("ended");
      });
      // EventSource reconnects by itself (with Last-Event-ID); say so meanwhile.
      source.onerror = () => setState("reconnecting");
    };
    const close = () => {
      source?.close();
      source = null;
      // Hidden: nothing refetches, the fleet page included; the resumed stream catches up.
      clearTimeout(fleetTimer);
      fleetTimer = undefined;
    };
    const onVisibility = () => {
      if (ended) return;
      if (document.hidden) {
        close();
        setState("paused");
      } else if (!source) {
        open();
      }
    };
    open();
    document.addEventListener("visibilitychange", onVisibility);
    return () => {
      document.removeEventListener("visibilitychange", onVisibility);
      clearTimeout(flushTimer);
      clearTimeout(fleetTimer);
      close();
    };
  }, [queryClient]);

  const look: Record<LiveState, { dot: string; label: string }> = {
    connecting: { dot: "bg-slate-400", label: "Connecting" },
    live: { dot: "bg-emerald-500", label: "Live" },
    paused: { dot: "bg-slate-400", label: "Paused (tab hidden)" },
    reconnecting: { dot: "bg-amber-500", label: "Reconnecting" },
    ended: { dot: "bg-rose-500", label: "Signed out: reload to sign in" },
  };
  return (
    <p
      className="flex items-center gap-2 px-3 text-xs text-slate-500"
      data-testid="live-state"
      data-state={state}
    >
      <span className={`inline-block h-2 w-2 rounded-full ${look[state].dot}`} aria-hidden />
      {look[state].label}
    </p>
  );
}
