// The metadata forwarders' status rows: the JSON columns listing their watches, encoded by
// controller/metadata/forwarder-status.ts and decoded by the Metadata page.
import type { WatchInfo } from "../metadata";
import { jsonColumn } from "./json-column";

export const watchesColumn = jsonColumn<WatchInfo[]>();
