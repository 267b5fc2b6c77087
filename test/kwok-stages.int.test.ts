// The simulated failures of config/cluster/kwok-stages.yaml on the run's real cluster: a pod
// whose image is marked never becomes ready and reports what a kubelet would, unmarked
// containers (and pods) run as with kwok's defaults.
import { CoreV1Api, type V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { eventually, testNamespace } from "./harness";

const ns = testNamespace("stages");
const core = () => ns.kc.makeApiClient(CoreV1Api);

async function createPod(name: string, agentImage: string): Promise<void> {
  await core().createNamespacedPod({
    namespace: ns.name,
    body: {
      metadata: { name },
      spec: {
        nodeName: "kwok-on-demand-0",
        containers: [
          { name: "agent", image: agentImage },
          { name: "sidecar", image: "registry.example/sidecar:1" },
        ],
      },
    },
  });
}

const readPod = (name: string): Promise<V1Pod> => core().readNamespacedPod({ namespace: ns.name, name });
const container = (pod: V1Pod, name: string) => pod.status?.containerStatuses?.find((c) => c.name === name);
const ready = (pod: V1Pod) => pod.status?.conditions?.find((c) => c.type === "Ready");

describe("kwok Stages: simulated agent failures", () => {
  it("an unmarked pod becomes ready at once (kwok's pod-ready)", async () => {
    await createPod("healthy", "gcr.io/datadoghq/agent:7.72.1");
    const pod = await eventually(async () => {
      const p = await readPod("healthy");
      expect(ready(p)?.status).toBe("True");
      return p;
    });
    expect(pod.status?.phase).toBe("Running");
    expect(container(pod, "agent")).toMatchObject({ ready: true, restartCount: 0 });
  });

  it("crashloop: CrashLoopBackOff, never ready, restarts counting up, Ready's transition time kept", async () => {
    await createPod("crashing", "gcr.io/datadoghq/agent:7.72.1-crashloop");
    const first = await eventually(async () => {
      const p = await readPod("crashing");
      expect(container(p, "agent")?.state?.waiting?.reason).toBe("CrashLoopBackOff");
      return p;
    });
    expect(first.status?.phase).toBe("Running");
    expect(ready(first)).toMatchObject({ status: "False", reason: "ContainersNotReady" });
    expect(container(first, "agent")?.lastState?.terminated).toMatchObject({ reason: "Error", exitCode: 1 });
    expect(container(first, "sidecar")).toMatchObject({ ready: true, restartCount: 0 });
    const restarts = container(first, "agent")!.restartCount;

    // The next restarts come every 5-10 s.
    const later = await eventually(
      async () => {
        const p = await readPod("crashing");
        expect(container(p, "agent")!.restartCount).toBeGreaterThanOrEqual(restarts + 2);
        return p;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    expect(ready(later)?.status).toBe("False");
    expect(ready(later)?.lastTransitionTime).toEqual(ready(first)?.lastTransitionTime);
    expect(container(later, "agent")?.state?.waiting?.message).toContain("back-off");
  }, 60_000);

  it("oomkilled: CrashLoopBackOff whose last state is OOMKilled (exit code 137)", async () => {
    await createPod("oom", "gcr.io/datadoghq/agent:7.72.1-oomkilled");
    const pod = await eventually(async () => {
      const p = await readPod("oom");
      expect(container(p, "agent")?.state?.waiting?.reason).toBe("CrashLoopBackOff");
      return p;
    });
    expect(container(pod, "agent")?.lastState?.terminated).toMatchObject({
      reason: "OOMKilled",
      exitCode: 137,
    });
  });

  it("imagepullbackoff: ImagePullBackOff, the pod stays Pending", async () => {
    await createPod("pulling", "gcr.io/datadoghq/agent:7.72.1-imagepullbackoff");
    const pod = await eventually(async () => {
      const p = await readPod("pulling");
      expect(container(p, "agent")?.state?.waiting?.reason).toBe("ImagePullBackOff");
      return p;
    });
    expect(pod.status?.phase).toBe("Pending");
    expect(container(pod, "agent")?.restartCount).toBe(0);
  });

  it("a failing pod is deleted like any other (kwok's pod-delete)", async () => {
    await core().deleteNamespacedPod({ namespace: ns.name, name: "crashing" });
    await eventually(async () => {
      const pods = await core().listNamespacedPod({ namespace: ns.name });
      expect(pods.items.map((p) => p.metadata?.name)).not.toContain("crashing");
    });
  });
});
