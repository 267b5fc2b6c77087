// The percentile helpers live in lib/ (the dashboard's latency charts use them too).
export { median, percentile } from "../lib/stats";
