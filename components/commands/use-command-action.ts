"use client";

import { useState, useTransition } from "react";
import type { CommandActionResult } from "@/server/actions/command-action";

/**
 * Calls a command-writing server action. When the request never reaches the action (signed
 * out, so the request gate answered with a redirect; or the server is down), the action throws
 * in the browser; this turns that into a result the UI can show.
 */
async function callCommandAction(action: () => Promise<CommandActionResult>): Promise<CommandActionResult> {
  try {
    return await action();
  } catch {
    return {
      ok: false,
      error:
        "The request did not reach the dashboard's server: your session may have expired. Reload the page to sign in again.",
    };
  }
}

/**
 * Sends a command-writing server action and keeps what <CommandStatus> shows: the id of the
 * command it wrote, or why none was written.
 */
export function useCommandAction() {
  const [pending, startTransition] = useTransition();
  const [commandId, setCommandId] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reset = () => {
    setCommandId(null);
    setError(null);
  };
  const send = (action: () => Promise<CommandActionResult>) =>
    startTransition(async () => {
      reset();
      const result = await callCommandAction(action);
      if (result.ok) setCommandId(result.commandId);
      else setError(result.error);
    });
  return { pending, commandId, error, send, reset };
}
