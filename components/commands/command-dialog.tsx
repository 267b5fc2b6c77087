"use client";

import type { ReactNode } from "react";
import { isFinalStatus } from "@/lib/commands";
import type { CommandActionResult } from "@/server/actions/command-action";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { CommandStatus } from "./command-status";
import { useCommandAction } from "./use-command-action";
import { useCommandStatus } from "./use-command-status";

/**
 * A confirmation that shows what will happen, then follows the command it sends:
 * requested → applied, or the reason it was refused. Confirm is enabled only when
 * `blockedReason` is null.
 */
export function CommandDialog({
  open,
  onClose,
  title,
  confirmLabel,
  danger = false,
  blockedReason = null,
  action,
  children,
}: {
  open: boolean;
  onClose: () => void;
  title: string;
  confirmLabel: string;
  danger?: boolean;
  blockedReason?: string | null;
  action: () => Promise<CommandActionResult>;
  children: ReactNode;
}) {
  const { pending, commandId, error, send, reset } = useCommandAction();
  const { data } = useCommandStatus(commandId);
  const close = () => {
    reset();
    onClose();
  };
  const sent = commandId !== null;
  const done = sent && isFinalStatus(data?.status);
  return (
    <Dialog
      open={open}
      onClose={close}
      title={title}
      wide
      footer={
        <>
          {(commandId !== null || error) && (
            <div className="mr-auto">
              <CommandStatus id={commandId} error={error} />
            </div>
          )}
          <Button onClick={close} autoFocus>
            {done || error ? "Close" : "Cancel"}
          </Button>
          {!sent && (
            <Button
              variant={danger ? "danger" : "primary"}
              disabled={pending || blockedReason !== null}
              title={blockedReason ?? undefined}
              onClick={() => send(action)}
            >
              {confirmLabel}
            </Button>
          )}
        </>
      }
    >
      {children}
      {blockedReason && !sent && (
        <p role="alert" className="mt-3 rounded-md bg-amber-50 px-3 py-2 text-amber-900">
          {blockedReason}
        </p>
      )}
    </Dialog>
  );
}
