import { PageHeader } from "@/components/ui/page-header";
import { Planned } from "@/components/ui/planned";

export default function AgentsPage() {
  return (
    <>
      <PageHeader title="Agents" description="Every DatadogAgent in the cluster and its revision history." />
      <Planned
        items={[
          "Each DatadogAgent with its experiment phase, current revision and last change.",
          "Per agent: the current spec, the running experiment with its countdown, Promote and Stop.",
          "Revision history newest first, a diff between any two revisions, and one-click rollback with a diff of what you roll back to.",
        ]}
      />
    </>
  );
}
