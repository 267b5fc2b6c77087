"use client";

import { useState } from "react";
import type { AgentDetailDto } from "@/server/queries/agents";
import type { RevisionDto } from "@/server/queries/revisions";
import { restoreRevision } from "@/server/actions/restore-revision";
import { CommandDialog } from "@/components/commands/command-dialog";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { RelativeTime } from "@/components/ui/relative-time";
import { refusalOf } from "@/lib/access";
import { CauseBadge } from "./cause-badge";
import { rollbackBlockedReason } from "./rollback";
import { SpecDiff } from "./spec-diff";

/**
 * The revision history, newest first, with a diff between any two entries and "Roll back to
 * this revision": a confirmation that shows the diff from the current spec to the target.
 */
export function RevisionHistory({ agent, revisions }: { agent: AgentDetailDto; revisions: RevisionDto[] }) {
  const [fromId, setFromId] = useState<number | null>(null);
  const [toId, setToId] = useState<number | null>(null);
  const [target, setTarget] = useState<RevisionDto | null>(null);
  const current = revisions.find((r) => r.name === agent.currentRevision);
  const to = revisions.find((r) => r.id === toId) ?? revisions[0];
  const from = revisions.find((r) => r.id === fromId) ?? revisions.find((r) => r.name !== to?.name);
  // Shown on the button before the click: the controller's stored answer for this viewer.
  const denied = refusalOf(agent.permission);

  return (
    <Card title="Revision history">
      {revisions.length === 0 ? (
        <p className="text-sm text-slate-600">No revision recorded yet.</p>
      ) : (
        <>
          <div className="overflow-x-auto">
            <table className="w-full text-left text-sm">
              <caption className="sr-only">Revisions, newest first</caption>
              <thead className="text-xs uppercase text-slate-500">
                <tr>
                  <th className="px-2 py-1 font-medium">Diff from / to</th>
                  <th className="px-2 py-1 font-medium">Revision</th>
                  <th className="px-2 py-1 font-medium">Cause</th>
                  <th className="px-2 py-1 font-medium">Actor</th>
                  <th className="px-2 py-1 font-medium">When</th>
                  <th className="px-2 py-1 font-medium">In cluster</th>
                  <th className="px-2 py-1" />
                </tr>
              </thead>
              <tbody>
                {revisions.map((r) => {
                  const isCurrent = r.name === agent.currentRevision;
                  return (
                    <tr
                      key={r.id}
                      className="border-t border-slate-100 align-middle"
                      data-testid="revision-row"
                      data-revision={r.name}
                      data-cause={r.cause}
                    >
                      <td className="whitespace-nowrap px-2 py-1">
                        <input
                          type="radio"
                          name="diff-from"
                          aria-label={`Diff from ${r.hash} (${r.cause})`}
                          checked={from?.id === r.id}
                          onChange={() => setFromId(r.id)}
                        />{" "}
                        <input
                          type="radio"
                          name="diff-to"
                          aria-label={`Diff to ${r.hash} (${r.cause})`}
                          checked={to?.id === r.id}
                          onChange={() => setToId(r.id)}
                        />
                      </td>
                      <td className="px-2 py-1 font-mono text-xs" title={r.name}>
                        {r.hash}
                        {isCurrent && (
                          <span className="ml-2">
                            <Badge tone="good">current</Badge>
                          </span>
                        )}
                      </td>
                      <td className="px-2 py-1">
                        <CauseBadge cause={r.cause} />
                        {r.experimentId && (
                          <span className="ml-1 font-mono text-xs text-slate-500">{r.experimentId}</span>
                        )}
                      </td>
                      <td className="px-2 py-1 text-slate-700">{r.actor}</td>
                      <td className="whitespace-nowrap px-2 py-1 text-slate-600">
                        <RelativeTime iso={r.at} />
                      </td>
                      <td className="px-2 py-1">
                        <Badge tone={r.inCluster ? "good" : "neutral"}>
                          {r.inCluster ? "in cluster" : "history only"}
                        </Badge>
                      </td>
                      <td className="whitespace-nowrap px-2 py-1 text-right">
                        {!isCurrent && (
                          <Button
                            onClick={() => setTarget(r)}
                            className="text-xs"
                            disabled={denied !== null}
                            title={denied ?? undefined}
                          >
                            Roll back to this revision
                          </Button>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          {from && to && (
            <div className="mt-4">
              <SpecDiff
                from={from.spec}
                to={to.spec}
                fromLabel={`${from.hash} (${from.cause})`}
                toLabel={`${to.hash} (${to.cause})`}
              />
            </div>
          )}
        </>
      )}
      <CommandDialog
        open={target !== null}
        onClose={() => setTarget(null)}
        title={`Roll back to revision ${target?.hash ?? ""}?`}
        confirmLabel="Roll back"
        danger
        blockedReason={target ? rollbackBlockedReason(agent, target) : null}
        action={() => restoreRevision(agent.clusterId, agent.key, target!.name)}
      >
        {target && (
          <>
            <p className="mb-3">
              <span className="font-mono">{agent.key}</span> goes back to{" "}
              <span className="font-mono">{target.name}</span> (<CauseBadge cause={target.cause} /> by{" "}
              {target.actor}, <RelativeTime iso={target.at} />
              ). {target.inCluster ? "" : "fleetdeck re-creates its ControllerRevision from its history. "}
              What changes:
            </p>
            {current ? (
              <SpecDiff
                from={current.spec}
                to={target.spec}
                fromLabel={`current ${current.hash}`}
                toLabel={`target ${target.hash}`}
              />
            ) : (
              <p className="text-slate-500">The current revision is not in the history yet.</p>
            )}
          </>
        )}
      </CommandDialog>
    </Card>
  );
}
