import packageJson from "../package.json";

/** fleetdeck's own version (package.json), reported as operator_version and in heartbeats. */
export const FLEETDECK_VERSION: string = packageJson.version;
