import { PageHeader } from "@/components/ui/page-header";
import { Planned } from "@/components/ui/planned";

export default function ExperimentsPage() {
  return (
    <>
      <PageHeader title="Experiments" description="Configuration experiments run against DatadogAgents." />
      <Planned
        items={[
          "Every experiment: agent, who started it, baseline and candidate revisions.",
          "Outcome (promoted, rolled back, timed out, aborted) with its reason and duration.",
        ]}
      />
    </>
  );
}
