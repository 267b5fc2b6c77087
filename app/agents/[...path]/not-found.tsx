import { NotFoundPanel } from "@/components/layout/not-found-panel";

/** An agent address that names no cluster of the fleet, or no DatadogAgent in it the viewer may see. */
export default function AgentNotFound() {
  return (
    <NotFoundPanel title="No such DatadogAgent" back={{ href: "/agents", label: "All agents" }}>
      No cluster of the fleet has a DatadogAgent at this address that you may see (Kubernetes RBAC: list
      DatadogAgents in its namespace), or it names no cluster. An agent deleted from its cluster keeps its
      page while the store has its history.
    </NotFoundPanel>
  );
}
