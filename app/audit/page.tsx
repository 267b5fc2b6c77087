import { PageHeader } from "@/components/ui/page-header";
import { Planned } from "@/components/ui/planned";

export default function AuditPage() {
  return (
    <>
      <PageHeader title="Audit" description="Who did what, when, and what came of it." />
      <Planned
        items={[
          "Every command and every decision of the controller, with its actor and target.",
          "Filters by actor, action, target and time; export as CSV or JSON.",
        ]}
      />
    </>
  );
}
