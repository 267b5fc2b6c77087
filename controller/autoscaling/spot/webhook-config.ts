// The MutatingWebhookConfiguration that sends pod CREATEs to the webhook: created, and kept as
// it should be (caBundle included) by the leader, with server-side apply. A watch on that one
// object puts it back at once when someone edits or deletes it; a new certificate re-applies it.
//
// Pod CREATE only, failurePolicy Ignore (on-demand pods are never modified, so pods keep being
// created when the webhook is down), a short timeout, and neither kube-system nor fleetdeck's
// own namespace. URL mode for a controller outside the cluster; Service mode inside it.
import { resourcePath, type KubeClient } from "../../kube/client";
import { Controller, type Result } from "../../kube/controller";
import type { Informer, KubeObject } from "../../kube/informer";
import type { InformerFactory } from "../../kube/informer-factory";
import type { Logger } from "../../log";
import { WEBHOOK_PATH, type WebhookEndpoint } from "./config";

export const WEBHOOK_NAME = "spot.autoscaling.fleetdeck.dev";

export interface WebhookConfigOptions {
  /** metadata.name of the MutatingWebhookConfiguration. */
  name: string;
  endpoint: WebhookEndpoint;
  timeoutSeconds: number;
  /** Namespaces whose pods are never sent to the webhook. */
  excludedNamespaces: string[];
}

interface Webhook {
  name: string;
  admissionReviewVersions: string[];
  sideEffects: string;
  failurePolicy: string;
  matchPolicy: string;
  reinvocationPolicy: string;
  timeoutSeconds: number;
  rules: {
    operations: string[];
    apiGroups: string[];
    apiVersions: string[];
    resources: string[];
    scope: string;
  }[];
  namespaceSelector: { matchExpressions: { key: string; operator: string; values: string[] }[] };
  objectSelector: Record<string, never>;
  clientConfig: {
    url?: string;
    service?: { namespace: string; name: string; path: string; port: number };
    caBundle: string;
  };
}

/** The webhook entry as fleetdeck wants it (every field the API server would default is set). */
export function desiredWebhook(options: WebhookConfigOptions, caPem: string): Webhook {
  const { endpoint } = options;
  return {
    name: WEBHOOK_NAME,
    admissionReviewVersions: ["v1"],
    // The webhook writes nothing anywhere; dry-run admissions are decided but not counted.
    sideEffects: "None",
    failurePolicy: "Ignore",
    matchPolicy: "Equivalent",
    reinvocationPolicy: "Never",
    timeoutSeconds: options.timeoutSeconds,
    rules: [
      {
        operations: ["CREATE"],
        apiGroups: [""],
        apiVersions: ["v1"],
        resources: ["pods"],
        scope: "Namespaced",
      },
    ],
    namespaceSelector: {
      matchExpressions: [
        {
          key: "kubernetes.io/metadata.name",
          operator: "NotIn",
          values: [...options.excludedNamespaces].sort(),
        },
      ],
    },
    objectSelector: {},
    clientConfig: {
      ...(endpoint.mode === "url"
        ? { url: endpoint.url }
        : {
            service: {
              namespace: endpoint.namespace,
              name: endpoint.name,
              path: WEBHOOK_PATH,
              port: endpoint.port,
            },
          }),
      caBundle: Buffer.from(caPem).toString("base64"),
    },
  };
}

/** The same fields as desiredWebhook, in the same order, read from a stored object. */
function projection(w: Partial<Webhook>): string {
  const c = w.clientConfig;
  return JSON.stringify({
    name: w.name,
    admissionReviewVersions: w.admissionReviewVersions,
    sideEffects: w.sideEffects,
    failurePolicy: w.failurePolicy,
    matchPolicy: w.matchPolicy,
    reinvocationPolicy: w.reinvocationPolicy,
    timeoutSeconds: w.timeoutSeconds,
    rules: w.rules?.map((r) => ({
      operations: r.operations,
      apiGroups: r.apiGroups,
      apiVersions: r.apiVersions,
      resources: r.resources,
      scope: r.scope,
    })),
    namespaceSelector: { matchExpressions: w.namespaceSelector?.matchExpressions },
    objectSelector: w.objectSelector ?? {},
    clientConfig: {
      ...(c?.url !== undefined ? { url: c.url } : {}),
      ...(c?.service
        ? {
            service: {
              namespace: c.service.namespace,
              name: c.service.name,
              path: c.service.path,
              port: c.service.port,
            },
          }
        : {}),
      caBundle: c?.caBundle,
    },
  });
}

const KEY = "webhook-configuration";

/**
 * The leader's controller that keeps the MutatingWebhookConfiguration as desired: one key,
 * queued by the watch on that one object, by a new certificate, and at every start.
 */
export class WebhookConfigKeeper {
  readonly controller: Controller;
  private readonly informer: Informer<KubeObject>;

  constructor(
    private readonly client: KubeClient,
    informers: InformerFactory,
    private readonly options: WebhookConfigOptions,
    private readonly caPem: () => string | undefined,
    private readonly log: Logger,
  ) {
    this.informer = informers.informer({
      name: "spot-webhook-configuration",
      path: "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations",
      fieldSelector: `metadata.name=${options.name}`,
    });
    this.controller = new Controller({
      name: "spot-webhook-configuration",
      watches: [{ informer: this.informer, keys: () => [KEY] }],
      initialKeys: () => [KEY],
      reconcile: () => this.reconcile(),
      rateLimiter: { baseDelayMs: 500, maxDelayMs: 30_000 },
      log,
    });
  }

  /** A new CA: apply at once. */
  certificateChanged(): void {
    this.controller.enqueue(KEY);
  }

  private async reconcile(): Promise<Result> {
    const ca = this.caPem();
    if (!ca) return { requeueAfterMs: 1000 };
    const desired = desiredWebhook(this.options, ca);
    const current = this.informer.get(this.options.name) as { webhooks?: Partial<Webhook>[] } | undefined;
    const upToDate =
      current?.webhooks?.length === 1 && projection(current.webhooks[0]!) === projection(desired);
    if (!upToDate) {
      await this.client.apply(
        resourcePath({
          group: "admissionregistration.k8s.io",
          version: "v1",
          resource: "mutatingwebhookconfigurations",
          name: this.options.name,
        }),
        {
          apiVersion: "admissionregistration.k8s.io/v1",
          kind: "MutatingWebhookConfiguration",
          metadata: {
            name: this.options.name,
            labels: {
              "app.kubernetes.io/part-of": "fleetdeck",
              "app.kubernetes.io/component": "spot-webhook",
            },
          },
          webhooks: [desired],
        },
      );
      this.log.info(
        { name: this.options.name, why: current ? "drifted" : "missing", endpoint: this.options.endpoint },
        "applied the MutatingWebhookConfiguration",
      );
    }
    // Drift shows up through the watch; a slow periodic check covers a missed event.
    return { requeueAfterMs: 5 * 60_000 };
  }
}
