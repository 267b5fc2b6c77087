/** A fleet experiment's page. */
export function fleetExperimentPath(name: string): string {
  return `/fleet-experiments/${encodeURIComponent(name)}`;
}
