// One informer per (path, selectors, transform name) for the whole controller, as client-go's
// SharedInformerFactory: the DatadogAgent reconciler and the metadata forwarder read the same
// cache instead of each holding its own copy and watch.
import type { KubeClient } from "./client";
import type { Logger } from "../log";
import { Informer, type InformerOptions, type KubeObject } from "./informer";

export class InformerFactory {
  private readonly informers = new Map<string, Informer<KubeObject>>();

  constructor(
    private readonly client: KubeClient,
    private readonly log: Logger,
  ) {}

  /**
   * The shared informer for these options (created on first use, not started). Two callers
   * asking for the same path and selectors get the same instance; a transform must then be
   * the same too, which `name` stands for.
   */
  informer<T extends KubeObject>(options: InformerOptions<T>): Informer<T> {
    const key = JSON.stringify([
      options.path,
      options.labelSelector ?? "",
      options.fieldSelector ?? "",
      options.name,
    ]);
    let informer = this.informers.get(key);
    if (!informer) {
      informer = new Informer<KubeObject>(
        this.client,
        options as InformerOptions<KubeObject>,
        this.log.child({ informer: options.name }),
      );
      this.informers.set(key, informer);
    }
    return informer as unknown as Informer<T>;
  }

  /** Starts every informer created so far (idempotent). */
  startAll(): void {
    for (const informer of this.informers.values()) informer.start();
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
  }

  /** Informers created so far, for readiness and status pages. */
  all(): Informer<KubeObject>[] {
    return [...this.informers.values()];
  }
}
