import type { CommandActionResult } from "@/server/actions/command-action";

/**
 * Calls a command-writing server action. When the request never reaches the action (signed
 * out, so the request gate answered with a redirect; or the server is down), the action throws
 * in the browser; this turns that into a result the UI can show.
 */
export async function callCommandAction(
  action: () => Promise<CommandActionResult>,
): Promise<CommandActionResult> {
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
