import { NotFoundPanel } from "@/components/layout/not-found-panel";

/** An agent address that names no cluster of the fleet, or no DatadogAgent in it. */
export default function AgentNotFound() {
  return (
    <NotFoundPanel title="No such DatadogAgent" back={{ href: "/agents", label: "All agents" }}>
      No cluster of the fleet has a DatadogAgent at this address, or it names no cluster. An agent deleted
      from its cluster keeps its page while the store has its history.
    </NotFoundPanel>
  );
}
