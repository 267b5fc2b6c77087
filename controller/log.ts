import pino, { type Logger } from "pino";

export type { Logger };

/**
 * Structured JSON logs on stdout, one `component` field per part of the controller.
 * Values under these keys are replaced wherever they appear, so a secret that reaches a
 * log call by mistake is still never written.
 */
const REDACT = [
  "apiKey",
  "token",
  "authorization",
  "headers.authorization",
  "headers.Authorization",
  "headers['dd-api-key']",
  "headers['Dd-Api-Key']",
  "*.apiKey",
  "*.token",
];

export function createRootLogger(level: string): Logger {
  return pino({
    level,
    base: { app: "fleetdeck-controller", pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACT, censor: "[redacted]" },
    formatters: { level: (label) => ({ level: label }) },
  });
}
