// The fleet driver logs as the controller does (JSON, redacted on the way out), as its own app.
export { createRootLogger, type Logger } from "../controller/log";
