import pino, { type Logger } from "pino";
import { redactText } from "../lib/redact";

export type { Logger };

/**
 * Structured JSON logs on stdout, one `component` field per part of the controller (and of the
 * fleet driver, whose lines say `app: "fleetdeck-fleet-driver"`). Every line
 * goes through the one redactor (lib/redact.ts) on its way out, fields and message alike, so a
 * secret that reaches a log call by mistake (a spec, an error quoting a value, a header) is
 * still never written.
 */
export function createRootLogger(
  level: string,
  destination?: pino.DestinationStream,
  app = "fleetdeck-controller",
): Logger {
  return pino(
    {
      level,
      base: { app, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      hooks: { streamWrite: redactLine },
    },
    destination,
  );
}

/** One serialized line (JSON and a newline), redacted. */
export function redactLine(line: string): string {
  const body = line.endsWith("\n") ? line.slice(0, -1) : line;
  const redacted = redactText(body);
  return redacted === body ? line : `${redacted}\n`;
}
