// The fleet driver's periodic work, as plain functions its runner calls while this replica leads:
// tick() steps every fleet experiment in progress once (read → decide with the pure rules →
// store the decision whole). Nothing is kept in memory between ticks that the store does not
// hold, so a replica that takes over carries on from the last stored decision.
import type { Logger } from "./log";
import { stepFleet, type FleetDecision } from "./rules";
import { decisionChanges, VersionConflict, type ActiveFleetExperiment, type FleetStore } from "./store";

export class FleetDriver {
  constructor(
    private readonly store: FleetStore,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** One look at every fleet experiment in progress. */
  async tick(): Promise<void> {
    for (const fx of await this.store.loadActive()) {
      try {
        await this.drive(fx);
      } catch (error) {
        if (error instanceof VersionConflict) {
          // A person (or a replica that still thought it led) wrote first: decide again next tick.
          this.log.debug({ fleetExperiment: fx.name }, error.message);
        } else {
          this.log.warn(
            { fleetExperiment: fx.name, err: (error as Error).message },
            "fleet experiment step failed",
          );
        }
      }
    }
  }

  /** One step of one fleet experiment; the decision, or null when it changed nothing. */
  async drive(fx: ActiveFleetExperiment): Promise<FleetDecision | null> {
    const now = this.now();
    const inputs = await this.store.observe(fx, now);
    const decision = stepFleet(fx.memo, fx.plan.waves, inputs, now);
    if (!decisionChanges(fx, decision)) return null;
    const commandIds = await this.store.commit(fx, decision, now);
    for (const event of decision.events) {
      this.log.info(
        {
          fleetExperiment: fx.name,
          event: event.kind,
          cluster: event.ref?.clusterName,
          agent: event.ref?.agentKey,
        },
        event.text,
      );
    }
    if (commandIds.length > 0) {
      this.log.info(
        {
          fleetExperiment: fx.name,
          commands: decision.commands.map(
            (c, i) => `${c.step} ${c.ref.clusterName}/${c.ref.agentKey} #${commandIds[i]}`,
          ),
        },
        "commands sent",
      );
    }
    return decision;
  }
}
