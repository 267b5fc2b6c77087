import Link from "next/link";
import { FleetExperimentsTable } from "@/components/fleet-experiments/fleet-experiments-table";
import { PageHeader } from "@/components/ui/page-header";
import { listFleetExperiments } from "@/server/queries/fleet-experiments";
import { pageScope } from "@/server/scope/request";

export default async function FleetExperimentsPage() {
  const initial = await listFleetExperiments(await pageScope());
  return (
    <>
      <PageHeader
        title="Fleet experiments"
        description="One change rolled across clusters in waves, each cluster under its own health gate; halted and put back everywhere on the first sign of trouble."
        actions={
          <Link
            href="/fleet-experiments/new"
            className="rounded-md border border-slate-900 bg-slate-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-slate-700"
          >
            New fleet experiment
          </Link>
        }
      />
      <FleetExperimentsTable initial={initial} />
    </>
  );
}
