// The dashboard's spot commands: enable-spot clears the disabled window now, disable-spot
// opens one for N minutes. Both merge-patch the spot-disabled-until annotation, as a fallback
// does, so kubectl shows the same thing the dashboard does. The command consumer records the
// outcome in the audit trail (command.applied / command.rejected with these details).
import { splitTarget } from "../../../lib/commands";
import {
  formatRfc3339,
  SPOT_DISABLED_UNTIL_ANNOTATION,
  SPOT_ENABLED_LABEL,
  SPOT_ENABLED_VALUE,
} from "../../../lib/spot";
import { describeKubeError, statusCode } from "../../kube/client";
import { CommandRejected, type CommandHandler } from "../../commands/registry";
import type { WorkloadObject, WorkloadPatcher } from "./workload-patcher";
import { parseDisabledUntil, type WorkloadConfigCache, type WorkloadRef } from "./workload-config";

async function readOptedIn(patcher: WorkloadPatcher, ref: WorkloadRef): Promise<WorkloadObject> {
  const label = `${ref.kind} ${ref.namespace}/${ref.name}`;
  let workload: WorkloadObject;
  try {
    workload = await patcher.read(ref);
  } catch (error) {
    if (statusCode(error) === 404) throw new CommandRejected(`${label} not found`);
    throw new CommandRejected(`cannot read ${label}: ${describeKubeError(error)}`);
  }
  if (workload.metadata?.labels?.[SPOT_ENABLED_LABEL] !== SPOT_ENABLED_VALUE) {
    throw new CommandRejected(
      `${label} is not opted in to spot scheduling (label ${SPOT_ENABLED_LABEL}=${SPOT_ENABLED_VALUE})`,
    );
  }
  return workload;
}

/** The one write of both commands; nothing is written once the command has timed out. */
async function patch(
  patcher: WorkloadPatcher,
  ref: WorkloadRef,
  until: number | null,
  signal: AbortSignal,
): Promise<void> {
  signal.throwIfAborted();
  try {
    await patcher.setDisabledUntil(ref, until);
  } catch (error) {
    throw new CommandRejected(
      `cannot annotate ${ref.kind} ${ref.namespace}/${ref.name}: ${describeKubeError(error)}`,
    );
  }
}

export function enableSpotHandler(
  patcher: WorkloadPatcher,
  workloads: WorkloadConfigCache,
): CommandHandler<"enable-spot"> {
  return async (payload, cmd) => {
    const ref: WorkloadRef = { kind: payload.kind, ...splitTarget(cmd.target) };
    const workload = await readOptedIn(patcher, ref);
    const current = workload.metadata?.annotations?.[SPOT_DISABLED_UNTIL_ANNOTATION];
    const until = parseDisabledUntil(current);
    workloads.clearLocal(ref);
    if (current === undefined) {
      return {
        status: "ignored",
        message: `spot scheduling is not disabled for ${payload.kind} ${cmd.target}`,
      };
    }
    await patch(patcher, ref, null, cmd.signal);
    const was =
      until === undefined
        ? `its ${SPOT_DISABLED_UNTIL_ANNOTATION} annotation "${current}" was unparsable`
        : until > Date.now()
          ? `was disabled until ${formatRfc3339(until)}`
          : `its window had ended at ${formatRfc3339(until)}`;
    return {
      status: "applied",
      message: `spot scheduling re-enabled for ${payload.kind} ${cmd.target} (${was})`,
      details: { kind: payload.kind, previousDisabledUntil: current },
    };
  };
}

export function disableSpotHandler(patcher: WorkloadPatcher): CommandHandler<"disable-spot"> {
  return async (payload, cmd) => {
    const ref: WorkloadRef = { kind: payload.kind, ...splitTarget(cmd.target) };
    const workload = await readOptedIn(patcher, ref);
    const previous = workload.metadata?.annotations?.[SPOT_DISABLED_UNTIL_ANNOTATION] ?? null;
    const until = Math.ceil((Date.now() + payload.minutes * 60_000) / 1000) * 1000;
    await patch(patcher, ref, until, cmd.signal);
    return {
      status: "applied",
      message: `spot scheduling disabled for ${payload.kind} ${cmd.target} until ${formatRfc3339(until)} (${payload.minutes} min); new pods go on-demand`,
      details: {
        kind: payload.kind,
        minutes: payload.minutes,
        disabledUntil: formatRfc3339(until),
        previousDisabledUntil: previous,
      },
    };
  };
}
