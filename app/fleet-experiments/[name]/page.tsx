import Link from "next/link";
import { notFound } from "next/navigation";
import { FleetExperimentView } from "@/components/fleet-experiments/fleet-experiment-view";
import { PageHeader } from "@/components/ui/page-header";
import { getFleetExperiment } from "@/server/queries/fleet-experiments";
import { pageScope } from "@/server/scope/request";

export default async function FleetExperimentPage({ params }: { params: Promise<{ name: string }> }) {
  const scope = await pageScope();
  const name = decodeURIComponent((await params).name);
  const fx = await getFleetExperiment(scope, name);
  if (!fx) notFound();
  return (
    <>
      <PageHeader
        title={fx.name}
        description={
          <>
            A fleet experiment: the same change in every cluster, wave by wave, each under its own health gate
            ·{" "}
            <Link href="/fleet-experiments" className="text-sky-700 hover:underline">
              all fleet experiments
            </Link>
          </>
        }
      />
      <FleetExperimentView initial={fx} />
    </>
  );
}
