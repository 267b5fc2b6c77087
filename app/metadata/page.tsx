import { PageHeader } from "@/components/ui/page-header";
import { Planned } from "@/components/ui/planned";

export default function MetadataPage() {
  return (
    <>
      <PageHeader
        title="Metadata"
        description="What the CRD and Helm forwarders send to the Datadog intake."
      />
      <Planned
        items={[
          "Every send attempt: time, forwarder, object, reason, HTTP status, latency and attempt number.",
          "The payload of a send and its diff against the previous send of the same object.",
          "Sends per minute by reason, latency percentiles, and each forwarder's watches, heartbeat and queue depth.",
        ]}
      />
    </>
  );
}
